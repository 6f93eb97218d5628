package index

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/sshtrail/sshtrail/schema"
)

// Sessions live in their own Bleve index, as documents of type "session"
// (doctype:session). Their fields reuse the event field names (host, user,
// src_ip, dst_ip, src_port, method, key_fp, outcome, sid, ts = start, end,
// duration, failures, commands), plus `sources` (repeated keyword), `parent`
// and `group`, so one query syntax (ParseQuery) serves both: `sshtrail
// search --sessions 'user:postgres sources:zeek_ssh'`.
//
// The event log is append-only, so Event.SID is never rewritten: a session
// points at its events by id (Session.Events, stored packed once, see
// session_events.go); SessionOf goes the other way from the event's host and
// time, and `events:<id>` in a session query is answered the same way
// (session_query.go).

// SessionDoc is one session as stored: the contract JSON plus what the
// sessions package needs to rebuild incrementally. index never looks inside
// State.
type SessionDoc struct {
	Session schema.Session
	// Group is the rebuild unit that produced the session: the host whose
	// events built it, or "" for sessions seen only on the network.
	Group string
	// State is opaque builder state (stored, not indexed).
	State []byte
	// BytesOut / BytesIn are network sizes (Zeek conn.log), searchable as
	// bytes_out / bytes_in on sessions but not part of the session JSON.
	BytesOut, BytesIn int64
}

const (
	sessionStateField = "_state"
	sessionGroupField = "group"
	sessionGroupStore = "_group"
)

func (b *docBuilder) session(sd *SessionDoc) (*document.Document, error) {
	se := &sd.Session
	// The JSON without its event ids: they are stored once, packed.
	bare := *se
	bare.Events = nil
	src, err := json.Marshal(&bare)
	if err != nil {
		return nil, fmt.Errorf("index: encode session %s: %w", se.SID, err)
	}
	d := document.NewDocument(SessionDocID(se.SID))
	b.keyword(d, typeField, TypeSession)
	b.keyword(d, "sid", se.SID)
	b.keyword(d, sessionGroupField, sd.Group)
	if !se.Start.IsZero() {
		b.keyword(d, "ts", FormatTS(se.Start))
		b.keyword(d, "tsh", se.Start.UTC().Format(hourLayout))
	}
	if !se.End.IsZero() {
		b.keyword(d, "end", FormatTS(se.End))
	}
	b.keyword(d, "host", se.Host)
	b.keyword(d, "user", se.User)
	b.keyword(d, "src_ip", se.SrcIP)
	b.keyword(d, "dst_ip", se.DstIP)
	b.padded(d, "src_port", se.SrcPort)
	b.keyword(d, "method", se.Method)
	b.keyword(d, "key_fp", se.KeyFP)
	b.keyword(d, "outcome", se.Outcome)
	b.keyword(d, "parent", se.Parent)
	for _, f := range se.Sources {
		b.keyword(d, "sources", f)
	}
	b.number(d, "duration", se.Duration)
	b.number(d, "failures", float64(se.Failures))
	b.number(d, "bytes_out", float64(sd.BytesOut))
	b.number(d, "bytes_in", float64(sd.BytesIn))
	for _, c := range se.Commands {
		b.textf(d, "commands", c)
	}
	b.stored(d, srcField, src)
	if len(se.Events) > 0 {
		b.stored(d, sessionEventsField, PackEventIDs(se.Events))
	}
	if sd.Group != "" {
		b.stored(d, sessionGroupStore, []byte(sd.Group))
	}
	if len(sd.State) > 0 {
		b.stored(d, sessionStateField, sd.State)
	}
	return d, nil
}

// SessionDocID is the Bleve document id of a session. The prefix keeps
// session ids apart from event ids in the shared id space.
func SessionDocID(sid string) string { return "s:" + sid }

// PutSessions indexes (adds or replaces) sessions in batches.
func (s *Store) PutSessions(ctx context.Context, docs []SessionDoc) error {
	const batch = 2000
	for i := 0; i < len(docs); i += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := s.sidx.NewBatch()
		for j := i; j < len(docs) && j < i+batch; j++ {
			d, err := s.build.session(&docs[j])
			if err != nil {
				return err
			}
			if err := b.IndexAdvanced(d); err != nil {
				return fmt.Errorf("index: session %s: %w", docs[j].Session.SID, err)
			}
		}
		if err := s.Failed(); err != nil {
			return err
		}
		if err := s.sidx.Batch(b); err != nil {
			return s.fail("writing sessions", fmt.Errorf("index: commit sessions: %w", err))
		}
	}
	return nil
}

// DeleteSessionIDs removes sessions by sid.
func (s *Store) DeleteSessionIDs(ctx context.Context, sids []string) error {
	const batch = 5000
	for i := 0; i < len(sids); i += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := s.sidx.NewBatch()
		for j := i; j < len(sids) && j < i+batch; j++ {
			b.Delete(SessionDocID(sids[j]))
		}
		if err := s.Failed(); err != nil {
			return err
		}
		if err := s.sidx.Batch(b); err != nil {
			return s.fail("writing sessions", fmt.Errorf("index: delete sessions: %w", err))
		}
	}
	return nil
}

// DeleteSessions removes every session of one rebuild group (a host; "" is
// the network-only group).
func (s *Store) DeleteSessions(ctx context.Context, group string) error {
	var sids []string
	err := s.eachSessionQuery(ctx, groupQuery(group), false, func(sd SessionDoc) error {
		sids = append(sids, sd.Session.SID)
		return nil
	})
	if err != nil {
		return err
	}
	return s.DeleteSessionIDs(ctx, sids)
}

func groupQuery(group string) query.Query {
	tq := query.NewTermQuery(TypeSession)
	tq.SetField(typeField)
	if group == "" {
		// The empty group is not indexed: sessions without a group field.
		all := query.NewTermRangeQuery("", "\U0010FFFF")
		all.SetField(sessionGroupField)
		b := query.NewBooleanQuery([]query.Query{tq}, nil, []query.Query{all})
		return b
	}
	gq := query.NewTermQuery(group)
	gq.SetField(sessionGroupField)
	return query.NewConjunctionQuery([]query.Query{tq, gq})
}

// SessionResult is one page of sessions.
type SessionResult struct {
	Total    uint64
	Sessions []schema.Session
	Sort     [][]string
}

// SearchSessions (used by `sshtrail search --sessions`) returns one page of
// sessions matching q (the event query syntax; ts is the session start),
// newest first unless p.Oldest.
func (s *Store) SearchSessions(ctx context.Context, q Query, p Page) (*SessionResult, error) {
	bq, err := s.compileSessions(ctx, q)
	if err != nil {
		return nil, err
	}
	if p.Size <= 0 {
		p.Size = 50
	}
	req := searchRequest(bq, p, srcField)
	req.Fields = sessionFields
	res, err := s.sidx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search sessions: %w", err)
	}
	out := &SessionResult{Total: res.Total}
	for _, h := range res.Hits {
		se, err := hitSession(h)
		if err != nil {
			return nil, fmt.Errorf("search sessions: %w", err)
		}
		out.Sessions = append(out.Sessions, se)
		out.Sort = append(out.Sort, h.Sort)
	}
	return out, nil
}

// CountSessions returns how many sessions match q.
func (s *Store) CountSessions(ctx context.Context, q Query) (uint64, error) {
	bq, err := s.compileSessions(ctx, q)
	if err != nil {
		return 0, err
	}
	res, err := s.sidx.SearchInContext(ctx, newRequest(bq, 0, 0))
	if err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	return res.Total, nil
}

// SessionFilter selects sessions for listings. Empty fields do not filter.
// Src is an address or a CIDR block. Since/Until select sessions that
// overlap the window (a session still open overlaps everything after its
// start).
type SessionFilter struct {
	User, Host, Src string
	Since, Until    time.Time
}

// Sessions returns the sessions matching f, oldest first.
func (s *Store) Sessions(ctx context.Context, f SessionFilter) ([]schema.Session, error) {
	q, err := f.query()
	if err != nil {
		return nil, err
	}
	var out []schema.Session
	err = s.eachSessionQuery(ctx, q, false, func(sd SessionDoc) error {
		out = append(out, sd.Session)
		return nil
	})
	return out, err
}

func (f SessionFilter) query() (query.Query, error) {
	tq := query.NewTermQuery(TypeSession)
	tq.SetField(typeField)
	parts := []query.Query{tq}
	term := func(field, v string) {
		if v != "" {
			t := query.NewTermQuery(v)
			t.SetField(field)
			parts = append(parts, t)
		}
	}
	term("user", f.User)
	term("host", f.Host)
	if f.Src != "" {
		sq, err := rewriteMatch("src_ip", f.Src, nil)
		if err != nil {
			return nil, err
		}
		if sq == nil {
			t := query.NewTermQuery(f.Src)
			t.SetField("src_ip")
			sq = t
		}
		parts = append(parts, sq)
	}
	incl, excl := true, false
	if !f.Until.IsZero() {
		tr := query.NewTermRangeInclusiveQuery("", FormatTS(f.Until), &incl, &excl)
		tr.SetField("ts")
		parts = append(parts, tr)
	}
	if !f.Since.IsZero() {
		ended := query.NewTermRangeInclusiveQuery(FormatTS(f.Since), "", &incl, &excl)
		ended.SetField("end")
		anyEnd := query.NewTermRangeQuery("", "\U0010FFFF")
		anyEnd.SetField("end")
		open := query.NewBooleanQuery([]query.Query{tq}, nil, []query.Query{anyEnd})
		parts = append(parts, query.NewDisjunctionQuery([]query.Query{ended, open}))
	}
	return query.NewConjunctionQuery(parts), nil
}

// EachSessionDoc calls fn for every stored session with its builder state,
// oldest first. group nil = all sessions, else only that rebuild group.
func (s *Store) EachSessionDoc(ctx context.Context, group *string, fn func(SessionDoc) error) error {
	var q query.Query
	if group != nil {
		q = groupQuery(*group)
	} else {
		tq := query.NewTermQuery(TypeSession)
		tq.SetField(typeField)
		q = tq
	}
	return s.eachSessionQuery(ctx, q, true, fn)
}

func (s *Store) eachSessionQuery(ctx context.Context, q query.Query, state bool, fn func(SessionDoc) error) error {
	const page = 25000
	var after []string
	for {
		req := newRequest(q, page, 0)
		req.Fields = append([]string{sessionGroupStore}, sessionFields...)
		if state {
			req.Fields = append(req.Fields, sessionStateField)
		}
		req.SortBy([]string{"ts", "_id"})
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := s.sidx.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("sessions: %w", err)
		}
		for _, h := range res.Hits {
			var sd SessionDoc
			var err error
			if sd.Session, err = hitSession(h); err != nil {
				return fmt.Errorf("sessions: %w", err)
			}
			sd.Group, _ = h.Fields[sessionGroupStore].(string)
			if st, ok := h.Fields[sessionStateField].(string); ok {
				sd.State = []byte(st)
			}
			if err := fn(sd); err != nil {
				return err
			}
		}
		if len(res.Hits) < page {
			return nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
}

// FacetSessions returns the top n values of each field over sessions
// matching q (fields with doc values: host, user, src_ip, dst_ip, method,
// key_fp, outcome).
func (s *Store) FacetSessions(ctx context.Context, q Query, fields []string, n int) ([]Facet, error) {
	bq, err := s.compileSessions(ctx, q)
	if err != nil {
		return nil, err
	}
	req := newRequest(bq, 0, 0)
	for _, f := range fields {
		req.AddFacet(f, bleve.NewFacetRequest(f, n))
	}
	res, err := s.sidx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("session facets: %w", err)
	}
	out := make([]Facet, 0, len(fields))
	for _, f := range fields {
		out = append(out, facetOf(f, res.Facets[f]))
	}
	return out, nil
}
