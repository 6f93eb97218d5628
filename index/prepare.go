package index

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Prepared is an event query parsed and compiled once, with the way each
// question about it is answered chosen once (plan). The workbench asks
// every search for a page, a histogram and facets: preparing the query
// once parses it once instead of three times. A Prepared does not change
// after Prepare and may be used from several goroutines; it answers over
// the index as it is when asked.
type Prepared struct {
	s    *Store
	q    Query
	bq   query.Query
	plan plan
	// text answers a planText query in event numbers (textquery.go).
	text func(context.Context) (*roaring.Bitmap, error)
}

// plan is how a prepared query is answered (fastpath.go, facetbits.go).
type plan int

const (
	// planBleve: Bleve's collectors visit every hit (fast paths off).
	planBleve plan = iota
	// planAll: the query selects every event; term dictionaries answer
	// counts, facets and the histogram, hour windows deep pages.
	planAll
	// planTerm: one term, term range or CIDR block; its count is read from
	// the dictionary, facets and hours as planNarrow.
	planTerm
	// planNarrow: anything else; counts by Bleve, facets and hours by
	// intersecting postings bitmaps, big pages from hour windows.
	planNarrow
	// planText: free text only (and, or, not); its count is the size of
	// the scan's set, the rest as planNarrow.
	planText
)

// Prepare parses and compiles q for Search, Count, Facets and Histogram.
func (s *Store) Prepare(q Query) (*Prepared, error) {
	bq, err := s.compile(context.Background(), q, TypeEvent)
	if err != nil {
		return nil, err
	}
	if err := s.narrowText(context.Background(), bq); err != nil {
		return nil, err
	}
	p := &Prepared{s: s, q: q, bq: bq, plan: s.choose(q, bq)}
	if p.plan == planNarrow && q.Since.IsZero() && q.Until.IsZero() {
		if f, ok := s.textOnly(bq); ok {
			p.plan, p.text = planText, f
		}
	}
	return p, nil
}

// Query is the query p was prepared from.
func (p *Prepared) Query() Query { return p.q }

// choose is the one place an event query's strategy is decided. (Session
// queries and Summarize always ask Bleve: the fast paths read the events
// index only.)
func (s *Store) choose(q Query, bq query.Query) plan {
	if s.noFastPaths {
		return planBleve
	}
	t := strings.TrimSpace(q.Q)
	if (t == "" || t == "*") && q.Since.IsZero() && q.Until.IsZero() {
		return planAll
	}
	if _, _, ok := oneTerm(bq); ok {
		return planTerm
	}
	switch t := bq.(type) {
	case *query.TermRangeQuery:
		if t.FieldVal != "" {
			return planTerm
		}
	case *cidrQuery:
		return planTerm
	}
	return planNarrow
}

// oneTerm is the field and term of a query for exactly one indexed term.
func oneTerm(bq query.Query) (field, term string, ok bool) {
	switch t := bq.(type) {
	case *query.TermQuery:
		field, term = t.FieldVal, t.Term
	case *query.MatchQuery:
		// A keyword field's analyser keeps the value whole: one term.
		if slices.Contains(keywordFields, t.FieldVal) && t.Fuzziness == 0 && t.Prefix == 0 && t.Analyzer == "" {
			field, term = t.FieldVal, t.Match
		}
	}
	return field, term, field != ""
}

// Search returns one page of events matching q, newest first by default.
func (s *Store) Search(ctx context.Context, q Query, pg Page) (*Result, error) {
	p, err := s.Prepare(q)
	if err != nil {
		return nil, err
	}
	return p.Search(ctx, pg)
}

// Search returns one page of the matching events, newest first by default.
func (p *Prepared) Search(ctx context.Context, pg Page) (*Result, error) {
	s := p.s
	start := time.Now()
	if pg.Size <= 0 {
		pg.Size = 50
	}
	// Count first: it is free for everything and for one term, and how
	// many events match says how wide a time window holds a page.
	total, err := p.Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var res *bleve.SearchResult
	windowed := false
	if p.plan != planBleve && total > fullSortHits {
		if res, windowed, err = s.windowSearch(ctx, p.q, p.bq, pg, total); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	if !windowed {
		if res, err = s.idx.SearchInContext(ctx, searchRequest(p.bq, pg, "")); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	out := &Result{Total: total}
	for _, h := range res.Hits {
		ev, err := s.hitEvent(h)
		if err != nil {
			return nil, err
		}
		out.Events = append(out.Events, ev)
		out.Sort = append(out.Sort, h.Sort)
	}
	out.Took = time.Since(start)
	return out, nil
}

// Count returns how many events match q.
func (s *Store) Count(ctx context.Context, q Query) (uint64, error) {
	p, err := s.Prepare(q)
	if err != nil {
		return 0, err
	}
	return p.Count(ctx)
}

// Count returns how many events match.
func (p *Prepared) Count(ctx context.Context) (uint64, error) {
	s := p.s
	switch p.plan {
	case planAll:
		return s.idx.DocCount()
	case planTerm:
		if n, ok, err := s.termCount(ctx, p.bq); ok || err != nil {
			return n, err
		}
	case planText:
		set, err := p.text(ctx)
		if err != nil {
			return 0, fmt.Errorf("count: %w", err)
		}
		return set.GetCardinality(), nil
	}
	res, err := s.idx.SearchInContext(ctx, newRequest(p.bq, 0, 0))
	if err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return res.Total, nil
}

// termCount answers a planTerm count from the dictionary: one term is its
// postings count, a range or CIDR block the sum of its terms' counts.
// ok=false: ask Bleve.
func (s *Store) termCount(ctx context.Context, bq query.Query) (n uint64, ok bool, err error) {
	switch t := bq.(type) {
	case *query.TermRangeQuery:
		return s.rangeCount(t)
	case *cidrQuery:
		return s.cidrCount(t)
	}
	field, term, ok := oneTerm(bq)
	if !ok {
		return 0, false, nil
	}
	snap, err := s.snapshot()
	if err != nil {
		return 0, false, nil
	}
	defer snap.Close()
	tfr, err := snap.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, false, err
	}
	defer tfr.Close()
	return tfr.Count(), true, nil
}

// Facets returns the top n values of each field for events matching q.
func (s *Store) Facets(ctx context.Context, q Query, fields []string, n int) ([]Facet, error) {
	p, err := s.Prepare(q)
	if err != nil {
		return nil, err
	}
	return p.Facets(ctx, fields, n)
}

// Facets returns the top n values of each field over the matching events.
func (p *Prepared) Facets(ctx context.Context, fields []string, n int) ([]Facet, error) {
	s := p.s
	for _, f := range fields {
		if !docValueFields[f] {
			return nil, fmt.Errorf("facets: %s cannot be faceted (try one of %v)", f, FacetFields())
		}
	}
	switch p.plan {
	case planAll:
		total, err := s.idx.DocCount()
		if err != nil {
			return nil, fmt.Errorf("facets: %w", err)
		}
		out := make([]Facet, 0, len(fields))
		for _, f := range fields {
			fc, err := s.dictFacet(f, n, total)
			if err != nil {
				return nil, fmt.Errorf("facets: %w", err)
			}
			out = append(out, fc)
		}
		return out, nil
	}
	// Every other plan, planBleve included, counts postings.
	out, err := s.postingFacets(ctx, p.bq, fields, n)
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	return out, nil
}

// Histogram counts matching events per hour (the indexed granularity) and
// merges hours into buckets of width step (a multiple of an hour; 0 picks
// one giving at most maxBuckets bars).
func (s *Store) Histogram(ctx context.Context, q Query, maxBuckets int) ([]Bucket, time.Duration, error) {
	p, err := s.Prepare(q)
	if err != nil {
		return nil, 0, err
	}
	return p.Histogram(ctx, maxBuckets)
}

// Histogram counts the matching events per hour and merges the hours into
// at most maxBuckets bars (see Store.Histogram).
func (p *Prepared) Histogram(ctx context.Context, maxBuckets int) ([]Bucket, time.Duration, error) {
	hours, err := p.hourCounts(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("histogram: %w", err)
	}
	buckets, step := bucketHours(hours, maxBuckets)
	return buckets, step, nil
}

// hourCounts is how many matching events each hour holds, in no order.
func (p *Prepared) hourCounts(ctx context.Context) ([]FacetTerm, error) {
	s := p.s
	switch p.plan {
	case planAll:
		all, err := s.hours()
		if err != nil {
			return nil, err
		}
		out := make([]FacetTerm, len(all))
		for i, h := range all {
			out[i] = FacetTerm{Term: h.hour, Count: int(h.count)}
		}
		return out, nil
	}
	fs, err := s.postingFacets(ctx, p.bq, []string{hourField}, 1<<30)
	if err != nil {
		return nil, err
	}
	return fs[0].Terms, nil
}

// bucketHours merges hour counts into buckets of the smallest step giving
// fewer than maxBuckets (default 60) bars.
func bucketHours(counts []FacetTerm, maxBuckets int) ([]Bucket, time.Duration) {
	type hc struct {
		t time.Time
		n int
	}
	var hours []hc
	for _, c := range counts {
		if ts, err := time.Parse(hourLayout, c.Term); err == nil {
			hours = append(hours, hc{ts, c.Count})
		}
	}
	if len(hours) == 0 {
		return nil, 0
	}
	sort.Slice(hours, func(i, j int) bool { return hours[i].t.Before(hours[j].t) })
	if maxBuckets <= 0 {
		maxBuckets = 60
	}
	first, last := hours[0].t, hours[len(hours)-1].t
	span := last.Sub(first) + time.Hour
	step := time.Hour
	for _, st := range []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour, 91 * 24 * time.Hour, 365 * 24 * time.Hour} {
		step = st
		if int(span/st) < maxBuckets {
			break
		}
	}
	start := first.Truncate(step)
	n := int(last.Sub(start)/step) + 1
	buckets := make([]Bucket, n)
	for i := range buckets {
		buckets[i].Start = start.Add(time.Duration(i) * step)
	}
	for _, h := range hours {
		i := int(h.t.Sub(start) / step)
		if i >= 0 && i < n {
			buckets[i].Count += h.n
		}
	}
	return buckets, step
}

// selectiveHits is the most events the structured clauses of a query may
// match for its free-text clauses to scan only the frames holding them
// (and at most one per eight frames: narrowText).
var selectiveHits uint64 = 50000

// narrowSpread: a structured part narrows the scan only with at most one
// hit per narrowSpread frames (0: always, for tests).
var narrowSpread uint64 = 8

// narrowText limits the scan of the free-text clauses ANDed with
// structured ones (user:root password) to the frames of the structured
// part's events, when those are few: a scan of a few frames instead of
// every message of the case.
func (s *Store) narrowText(ctx context.Context, bq query.Query) error {
	var text []*textQuery
	var rest []query.Query
	for _, c := range conjuncts(bq, nil) {
		if tq, ok := c.(*textQuery); ok {
			if tq.s != nil {
				text = append(text, tq)
			}
			continue
		}
		if _, ok := s.textOnly(c); ok {
			continue // free text only (an OR of words): scanned whole
		}
		rest = append(rest, c)
	}
	if len(text) == 0 || len(rest) == 0 {
		return nil
	}
	sq := rest[0]
	if len(rest) > 1 {
		sq = query.NewConjunctionQuery(rest)
	}
	res, err := s.idx.SearchInContext(ctx, newRequest(sq, 0, 0))
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	// Events spread over the log: past one hit per eight frames most frames
	// would be read anyway, after fetching every hit.
	if res.Total > selectiveHits || res.Total*narrowSpread > uint64(s.log.frames()) {
		return nil
	}
	frames := roaring.New()
	if res.Total > 0 {
		if res, err = s.idx.SearchInContext(ctx, newRequest(sq, int(res.Total), 0)); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		for _, h := range res.Hits {
			seq, err := seqOf(h.ID)
			if err != nil {
				return fmt.Errorf("search: %w", err)
			}
			frames.Add(uint32(seq / frameEvents))
		}
	}
	for _, tq := range text {
		tq.only = frames
	}
	return nil
}

// conjuncts appends the clauses q requires all of: the parts of an AND
// (Conjunction, or a Boolean's Must) flattened; a Boolean's MustNot only
// removes events, so it does not stop the flattening.
func conjuncts(q query.Query, out []query.Query) []query.Query {
	switch t := q.(type) {
	case *query.ConjunctionQuery:
		for _, c := range t.Conjuncts {
			out = conjuncts(c, out)
		}
		return out
	case *query.BooleanQuery:
		if t.Should == nil && t.Must != nil {
			return conjuncts(t.Must, out)
		}
	}
	return append(out, q)
}
