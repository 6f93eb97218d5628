package index

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sshtrail/sshtrail/schema"
)

// Typed lookups of stored sessions, for callers that know a key: the
// workbench built query strings ("events:"+id) that the index parsed back.

// SessionOf is the session holding the event eventID.
func (s *Store) SessionOf(ctx context.Context, eventID string) (schema.Session, bool, error) {
	ss, err := s.sessionsWhere(ctx, "events", eventID, 1)
	if err != nil || len(ss) == 0 {
		return schema.Session{}, false, err
	}
	return ss[0], true, nil
}

// Session is the session sid.
func (s *Store) Session(ctx context.Context, sid string) (schema.Session, bool, error) {
	ss, err := s.sessionsWhere(ctx, "sid", sid, 1)
	if err != nil || len(ss) == 0 {
		return schema.Session{}, false, err
	}
	return ss[0], true, nil
}

// MaxHops is how many hops out of one session Hops returns.
const MaxHops = 100

// Hops are the sessions whose parent is sid (hops out of it), oldest
// first, at most MaxHops.
func (s *Store) Hops(ctx context.Context, sid string) ([]schema.Session, error) {
	return s.sessionsWhere(ctx, "parent", sid, MaxHops)
}

// sessionsWhere returns up to n sessions whose field holds value exactly,
// oldest first.
func (s *Store) sessionsWhere(ctx context.Context, field, value string, n int) ([]schema.Session, error) {
	if value == "" {
		return nil, nil
	}
	tq := query.NewTermQuery(value)
	tq.SetField(field)
	req := newRequest(tq, n, 0)
	req.Fields = []string{srcField}
	req.SortBy([]string{"ts", "_id"})
	res, err := s.sidx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sessions: %s %q: %w", field, value, err)
	}
	out := make([]schema.Session, 0, len(res.Hits))
	for _, h := range res.Hits {
		var se schema.Session
		js, _ := h.Fields[srcField].(string)
		if err := json.Unmarshal([]byte(js), &se); err != nil {
			return nil, fmt.Errorf("sessions: %s: %w", h.ID, err)
		}
		out = append(out, se)
	}
	return out, nil
}
