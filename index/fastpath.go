package index

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Fast paths for the questions asked of every screen over a whole case.
// Bleve answers them by visiting every hit: at 831k events a newest-first
// page took 533 ms (sorting on ts doc values, ties on _id), the facet panel
// 692 ms and a term count 24 ms. The term dictionaries already hold the
// answers for whole-index questions, and the hour field (tsh) narrows a
// time-sorted page to the few hours that can hold it.

// hourCount is one hour of the tsh dictionary.
type hourCount struct {
	hour  string // hourLayout
	count uint64
}

// hourCache keeps the tsh dictionary for one committed log length: it only
// changes when events are added.
type hourCache struct {
	mu     sync.Mutex
	logLen int64
	hours  []hourCount // ascending
	ok     bool
}

// hours returns every hour holding events, ascending, with its event count.
func (s *Store) hours() ([]hourCount, error) {
	mark := s.Mark()
	s.hourc.mu.Lock()
	defer s.hourc.mu.Unlock()
	if s.hourc.ok && s.hourc.logLen == mark {
		return s.hourc.hours, nil
	}
	var hs []hourCount
	err := s.eachTerm("tsh", nil, nil, func(term string, n uint64) {
		hs = append(hs, hourCount{term, n})
	})
	if err != nil {
		return nil, err
	}
	s.hourc.hours, s.hourc.logLen, s.hourc.ok = hs, mark, true
	return hs, nil
}

// eachTerm visits a field's dictionary in term order with each term's
// document count, over [start, end) (nil: open).
//
// The counts are read per segment from a fresh postings list:
// bleve's merged FieldDict reuses one postings list per segment iterator
// and zapx v17.2.5 does not reset its one-hit flag, so a term read after a
// term held by one document counts 1 (found by TestFastPathsAgreeWithBleve:
// root 1740 instead of 2635).
func (s *Store) eachTerm(field string, start, end []byte, fn func(term string, n uint64)) error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	counts := map[string]uint64{}
	for _, ss := range snap.Segments() {
		d, err := ss.Segment().Dictionary(field)
		if err != nil {
			return fmt.Errorf("index: dictionary of %s: %w", field, err)
		}
		var it segment.DictionaryIterator
		if oc, ok := d.(interface {
			AutomatonIteratorOmitCount(segment.Automaton, []byte, []byte) segment.DictionaryIterator
		}); ok {
			it = oc.AutomatonIteratorOmitCount(nil, start, end)
		} else {
			it = d.AutomatonIterator(nil, start, end)
		}
		for {
			e, err := it.Next()
			if err != nil {
				return fmt.Errorf("index: dictionary of %s: %w", field, err)
			}
			if e == nil {
				break
			}
			pl, err := d.PostingsList([]byte(e.Term), ss.Deleted(), nil)
			if err != nil {
				return fmt.Errorf("index: postings of %s:%s: %w", field, e.Term, err)
			}
			if n := pl.Count(); n > 0 {
				counts[e.Term] += n
			}
		}
	}
	terms := make([]string, 0, len(counts))
	for t := range counts {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	for _, t := range terms {
		fn(t, counts[t])
	}
	return nil
}

// snapshot is the events index's current scorch snapshot (Close it). The
// fast paths read its segments directly.
func (s *Store) snapshot() (*scorch.IndexSnapshot, error) { return snapshotOf(s.idx) }

func snapshotOf(idx bleve.Index) (*scorch.IndexSnapshot, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("index: unexpected reader %T", r)
	}
	return snap, nil
}

// rangeCount sums the dictionary counts of the terms in a range: every
// field of an event holds one value, so that is the number of events
// (CIDR blocks, port and size ranges arrive here).
func (s *Store) rangeCount(tr *query.TermRangeQuery) (uint64, bool, error) {
	var maxb []byte
	if tr.Max != "" {
		maxb = append([]byte(tr.Max), 0) // the dictionary's range end is exclusive
	}
	incMin := tr.InclusiveMin == nil || *tr.InclusiveMin
	incMax := tr.InclusiveMax != nil && *tr.InclusiveMax
	var n uint64
	err := s.eachTerm(tr.FieldVal, []byte(tr.Min), maxb, func(term string, c uint64) {
		if (!incMin && term == tr.Min) || (!incMax && tr.Max != "" && term == tr.Max) {
			return
		}
		n += c
	})
	return n, err == nil, err
}

// dictFacet is a facet over every event, read from the field's dictionary.
func (s *Store) dictFacet(field string, n int, total uint64) (Facet, error) {
	counts := map[string]int{}
	err := s.eachTerm(field, nil, nil, func(term string, c uint64) { counts[term] = int(c) })
	if err != nil {
		return Facet{}, err
	}
	return topTerms(field, counts, n, int(total)), nil
}

// fullSortHits is the hit count up to which sorting every hit is cheaper
// than finding a time window (sorting 20k hits takes a few milliseconds).
var fullSortHits uint64 = 20000

// minWindowEvents is the smallest time window tried, in events.
var minWindowEvents uint64 = 4000

// windowSearch answers a time-sorted page from the fewest newest (or
// oldest) hours that can hold it: it asks for q within hours holding at
// least a few times the events needed and widens the window sixteen-fold
// until the page is full or the window is everything. Events outside the
// window are all older (newer) than every event inside it, so a full page
// from the window is the page. ok=false: the caller searches everything.
func (s *Store) windowSearch(ctx context.Context, q Query, bq query.Query, p Page, hits uint64) (*bleve.SearchResult, bool, error) {
	if s.noFastPaths {
		return nil, false, nil
	}
	hours, err := s.hours()
	if err != nil || len(hours) < 2 {
		return nil, false, err
	}
	all, err := s.idx.DocCount()
	if err != nil || hits == 0 {
		return nil, false, err
	}
	need := uint64(p.From + p.Size)
	// Only hours inside the query's own bounds (and before the search-after
	// key) can hold hits.
	lo, hi := 0, len(hours)-1
	bound := func(t string, upper bool) {
		if upper {
			for hi >= 0 && hours[hi].hour > t {
				hi--
			}
		} else {
			for lo < len(hours) && hours[lo].hour < t {
				lo++
			}
		}
	}
	if !q.Since.IsZero() {
		bound(q.Since.UTC().Format(hourLayout), false)
	}
	if !q.Until.IsZero() {
		bound(q.Until.UTC().Format(hourLayout), true)
	}
	if len(p.After) > 0 && len(p.After[0]) >= len(hourLayout) {
		bound(p.After[0][:len(hourLayout)], !p.Oldest)
	}
	if lo > hi {
		return nil, false, nil
	}
	// Expect hits spread evenly over time; ask for three times the events
	// that would hold the page.
	budget := max(3*need*(all/hits+1), minWindowEvents)
	for {
		// Grow the window from the sorted end until it holds budget events.
		from, to := lo, hi
		var in uint64
		if p.Oldest {
			for to = lo; to < hi; to++ {
				if in += hours[to].count; in >= budget {
					break
				}
			}
		} else {
			for from = hi; from > lo; from-- {
				if in += hours[from].count; in >= budget {
					break
				}
			}
		}
		if from == lo && to == hi {
			return nil, false, nil // the window is everything
		}
		t, f := true, true
		win := query.NewTermRangeInclusiveQuery(hours[from].hour, hours[to].hour, &t, &f)
		win.SetField("tsh")
		req := searchRequest(query.NewConjunctionQuery([]query.Query{bq, win}), p, "")
		res, err := s.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, false, err
		}
		if len(res.Hits) >= p.Size {
			return res, true, nil
		}
		budget *= 16
	}
}

// searchRequest is the Bleve request for a page of bq, loading the stored
// field ("" for events: a hit's id finds it in the event log; a session's JSON).
func searchRequest(bq query.Query, p Page, stored string) *bleve.SearchRequest {
	req := newRequest(bq, p.Size, p.From)
	if stored != "" {
		req.Fields = []string{stored}
	}
	if p.Oldest {
		req.SortBy([]string{"ts", "_id"})
	} else {
		req.SortBy([]string{"-ts", "-_id"})
	}
	if len(p.After) > 0 {
		req.From = 0
		req.SetSearchAfter(p.After)
	}
	return req
}
