package index

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sshtrail/sshtrail/schema"
)

// Typed lookups of stored sessions, for callers that know a key: the
// workbench built query strings that the index parsed back.

// sessionOfSlack bounds how far outside its session's [start, end] an event
// may lie: a line joins a closed login up to the rebuild's gap split (an
// hour by default) after its last line, a client process or a Zeek record
// within the skew (minutes) of the session's start. A day is generous for
// both and still a narrow window of sessions.
const sessionOfSlack = 24 * time.Hour

// SessionOf is the session holding the event ev. Event ids are not indexed
// on sessions: the candidates are the sessions of the event's host around
// its time (then those of any host, for Zeek records, which name their
// sensor, and ssh client processes, which join the session they opened),
// and the one whose stored ids hold ev.ID is it.
func (s *Store) SessionOf(ctx context.Context, ev *schema.Event) (schema.Session, bool, error) {
	if ev == nil || ev.ID == "" {
		return schema.Session{}, false, nil
	}
	hosts := []string{ev.Host, ""}
	if ev.Host == "" {
		hosts = hosts[1:]
	}
	for _, host := range hosts {
		se, ok, err := s.sessionHolding(ctx, ev, host)
		if err != nil || ok {
			return se, ok, err
		}
	}
	return schema.Session{}, false, nil
}

func (s *Store) sessionHolding(ctx context.Context, ev *schema.Event, host string) (schema.Session, bool, error) {
	tq := query.NewTermQuery(TypeSession)
	tq.SetField(typeField)
	parts := []query.Query{tq}
	if host != "" {
		hq := query.NewTermQuery(host)
		hq.SetField("host")
		parts = append(parts, hq)
	}
	if !ev.TS.IsZero() {
		incl := true
		started := query.NewTermRangeInclusiveQuery("", FormatTS(ev.TS.Add(sessionOfSlack)), &incl, &incl)
		started.SetField("ts")
		ended := query.NewTermRangeInclusiveQuery(FormatTS(ev.TS.Add(-sessionOfSlack)), "", &incl, &incl)
		ended.SetField("end")
		anyEnd := query.NewTermRangeQuery("", "\U0010FFFF")
		anyEnd.SetField("end")
		open := query.NewBooleanQuery([]query.Query{tq}, nil, []query.Query{anyEnd})
		parts = append(parts, started, query.NewDisjunctionQuery([]query.Query{ended, open}))
	}
	const page = 5000
	var after []string
	for {
		req := newRequest(query.NewConjunctionQuery(parts), page, 0)
		req.Fields = sessionFields
		req.SortBy([]string{"-ts", "-_id"})
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := s.sidx.SearchInContext(ctx, req)
		if err != nil {
			return schema.Session{}, false, fmt.Errorf("sessions: session of %s: %w", ev.ID, err)
		}
		for _, h := range res.Hits {
			packed, _ := h.Fields[sessionEventsField].(string)
			if !hasPackedEvent([]byte(packed), ev.ID) {
				continue
			}
			se, err := hitSession(h)
			if err != nil {
				return schema.Session{}, false, fmt.Errorf("sessions: %w", err)
			}
			return se, true, nil
		}
		if len(res.Hits) < page {
			return schema.Session{}, false, nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
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
	req.Fields = sessionFields
	req.SortBy([]string{"ts", "_id"})
	res, err := s.sidx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sessions: %s %q: %w", field, value, err)
	}
	out := make([]schema.Session, 0, len(res.Hits))
	for _, h := range res.Hits {
		se, err := hitSession(h)
		if err != nil {
			return nil, fmt.Errorf("sessions: %w", err)
		}
		out = append(out, se)
	}
	return out, nil
}
