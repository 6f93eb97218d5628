package index

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sshtrail/sshtrail/schema"
)

// Query selects events: a Bleve query string plus an optional time window.
type Query struct {
	Q     string    // Bleve query string; "" or "*" = everything
	Since time.Time // inclusive; zero = open
	Until time.Time // exclusive; zero = open
}

// Page asks for a slice of results.
type Page struct {
	Size   int  // default 50
	From   int  // offset (for small offsets; use After for deep paging)
	Oldest bool // oldest first instead of newest first
	After  []string
}

// Result is one page of events.
type Result struct {
	Total  uint64
	Events []*schema.Event
	Sort   [][]string // per hit, its sort key (for After)
	Took   time.Duration
}

func (s *Store) compile(ctx context.Context, q Query, doctype string) (query.Query, error) {
	parsed, err := ParseQuery(q.Q)
	if err != nil {
		return nil, err
	}
	if doctype == TypeEvent {
		parsed = bindText(parsed, s)
	}
	var parts []query.Query
	if doctype != TypeEvent {
		// Session documents carry their type; events need no filter in
		// their own index.
		tq := query.NewTermQuery(doctype)
		tq.SetField(typeField)
		parts = append(parts, tq)
	}
	if _, all := parsed.(*query.MatchAllQuery); !all || len(parts) == 0 {
		parts = append(parts, parsed)
	}
	if !q.Since.IsZero() || !q.Until.IsZero() {
		var min, max string
		if !q.Since.IsZero() {
			min = FormatTS(q.Since)
		}
		if !q.Until.IsZero() {
			max = FormatTS(q.Until)
		}
		t, f := true, false
		tr := query.NewTermRangeInclusiveQuery(min, max, &t, &f)
		tr.SetField("ts")
		parts = append(parts, tr)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return query.NewConjunctionQuery(parts), nil
}

// newRequest is a search request without relevance scoring: results are
// always sorted by time or counted, and skipping the scores made counts
// and facets over many hits cheaper.
func newRequest(q query.Query, size, from int) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(q, size, from, false)
	req.Score = bleve.ScoreNone
	return req
}

func (s *Store) hitEvent(h *search.DocumentMatch) (*schema.Event, error) {
	seq, err := seqOf(h.ID)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return s.readSeq(seq)
}

// FacetTerm is one value of a field and how many matching events carry it.
type FacetTerm struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// Facet is the top values of one field.
type Facet struct {
	Field   string      `json:"field"`
	Total   int         `json:"total"`
	Missing int         `json:"missing"`
	Others  int         `json:"others"`
	Terms   []FacetTerm `json:"terms"`
}

// FacetFields are the fields facets can be asked for (they keep doc values).
func FacetFields() []string {
	var out []string
	for f := range docValueFields {
		if f != "ts" && f != "tsh" {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// Bucket is one bar of a histogram.
type Bucket struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// Get returns the events with the given ids, in the order given; unknown
// ids are skipped. The ids file is read through once (8 bytes an event:
// 8 MB at 1M) and every match is confirmed against the stored event.
func (s *Store) Get(ctx context.Context, ids []string) ([]*schema.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	want := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		want[idKey(id)] = true
	}
	seqs, err := s.log.seqsOfKeys(want)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	byID := make(map[string]*schema.Event, len(seqs))
	for _, seq := range seqs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ev, err := s.readSeq(seq)
		if err != nil {
			return nil, fmt.Errorf("get: %w", err)
		}
		if _, ok := byID[ev.ID]; !ok {
			byID[ev.ID] = ev
		}
	}
	out := make([]*schema.Event, 0, len(ids))
	for _, id := range ids {
		if ev, ok := byID[id]; ok {
			out = append(out, ev)
		}
	}
	return out, nil
}

// Each calls fn for every event matching q, oldest first, paging through
// the index. For all events, Scan is faster.
func (s *Store) Each(ctx context.Context, q Query, fn func(*schema.Event) error) error {
	p, err := s.Prepare(q)
	if err != nil {
		return err
	}
	var after []string
	for {
		res, err := p.Search(ctx, Page{Size: 5000, Oldest: true, After: after})
		if err != nil {
			return err
		}
		for _, ev := range res.Events {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if len(res.Events) < 5000 {
			return nil
		}
		after = res.Sort[len(res.Sort)-1]
	}
}

// Total is the number of events in the store.
func (s *Store) Total(ctx context.Context) (uint64, error) { return s.Count(ctx, Query{}) }

// Mark is the number the next imported event will get: every event
// imported after this call has one at least as high. Saved queries keep it
// to answer "what is new since".
func (s *Store) Mark() int64 { return int64(s.log.frames()) * frameEvents }

// EachSinceMark calls fn for events matching q that were imported after
// mark (see Mark), oldest first.
func (s *Store) EachSinceMark(ctx context.Context, q Query, mark int64, fn func(*schema.Event) error) error {
	bq, err := s.compile(ctx, q, TypeEvent)
	if err != nil {
		return err
	}
	var after []string
	const page = 5000
	for {
		req := newRequest(bq, page, 0)
		req.SortBy([]string{"ts", "_id"})
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := s.idx.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		for _, h := range res.Hits {
			seq, err := seqOf(h.ID)
			if err != nil {
				return err
			}
			if int64(seq) < mark {
				continue
			}
			ev, err := s.readSeq(seq)
			if err != nil {
				return err
			}
			if err := fn(ev); err != nil {
				return err
			}
		}
		if len(res.Hits) < page {
			return nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
}

// bindText binds the free-text clauses of q to s (they answer from its
// message stream); left unbound, in a session query, they match nothing.
// q is fresh from ParseQuery, so it is bound in place.
func bindText(q query.Query, s *Store) query.Query {
	switch t := q.(type) {
	case *textQuery:
		t.s = s
	case *query.BooleanQuery:
		for _, sub := range []query.Query{t.Must, t.Should, t.MustNot} {
			if sub != nil {
				bindText(sub, s)
			}
		}
	case *query.ConjunctionQuery:
		for _, sub := range t.Conjuncts {
			bindText(sub, s)
		}
	case *query.DisjunctionQuery:
		for _, sub := range t.Disjuncts {
			bindText(sub, s)
		}
	}
	return q
}
