package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Free text is not in Bleve: a clause on message (fielded, or an unfielded
// word, phrase, wildcard or /regexp/) becomes a textQuery, answered by
// scanning the message stream (eventlog.go) with the same tokenizer and
// lower-casing the index used, so every clause means what it meant when
// message was indexed: a word is a token, a phrase consecutive tokens, a
// wildcard or regexp must match a whole token. The scan gives a set of
// event numbers; inside a Bleve query the clause is a searcher over those
// events' documents, so it combines with structured clauses under the
// same boolean rules and counts, pages, facets and histograms work as for
// any query.

// textQuery is one free-text clause.
type textQuery struct {
	orig query.Query // the clause as Bleve parsed it (for canon and errors)
	key  string      // what the clause matches, for the store's cache
	m    *textMatcher
	s    *Store // bound by compile for event queries; nil matches nothing
	// only limits the scan to these frames: those holding the events of
	// the structured clauses it is ANDed with, when they are few
	// (prepare.go, narrowText). Events elsewhere fail the AND anyway.
	only *roaring.Bitmap

	once sync.Once
	set  *roaring.Bitmap
	err  error
}

// matchKind says how a clause's token matchers combine.
type matchKind int

const (
	matchAny    matchKind = iota // some token matches some matcher (a match query's OR)
	matchAll                     // every matcher matches some token
	matchPhrase                  // consecutive tokens match the matchers in order
	matchNone                    // nothing (a clause with no tokens)
)

type textMatcher struct {
	kind  matchKind
	terms []tokenMatch
	// needles: a message that matches holds at least one of them, lower
	// case (nil: no such literal). Checked on whole frames first.
	needles [][]byte
}

// tokenMatch matches one (lower-cased) token.
type tokenMatch struct {
	term   []byte
	fuzz   int // edit distance allowed, with the first prefix bytes exact
	prefix int
	re     *regexp.Regexp
}

func (t *tokenMatch) matches(tok []byte) bool {
	switch {
	case t.re != nil:
		return t.re.Match(tok)
	case t.fuzz > 0:
		if len(tok) < t.prefix || !bytes.Equal(tok[:t.prefix], t.term[:min(t.prefix, len(t.term))]) {
			return false
		}
		return editDistance(t.term, tok, t.fuzz) <= t.fuzz
	default:
		return bytes.Equal(t.term, tok)
	}
}

func (t *tokenMatch) exact() bool { return t.re == nil && t.fuzz == 0 }

var (
	textAnalyzerOnce sync.Once
	textAnalyzerVal  analysis.Analyzer
	lowerFilter      = lowercase.NewLowerCaseFilter()
)

// messageAnalyzer is the analyser message was indexed with.
func messageAnalyzer() analysis.Analyzer {
	textAnalyzerOnce.Do(func() {
		m, err := NewMapping()
		if err == nil {
			textAnalyzerVal = m.AnalyzerNamed(TextAnalyzer)
		}
	})
	return textAnalyzerVal
}

func analyzeText(s string) [][]byte {
	var out [][]byte
	for _, t := range messageAnalyzer().Analyze([]byte(s)) {
		out = append(out, t.Term)
	}
	return out
}

// isTextField says whether a clause on field is free text.
func isTextField(field string) bool { return field == "" || scanFields[field] }

// newTextQuery makes the free-text clause for q, a Bleve clause on
// message; ok=false: q is not a free-text clause.
func newTextQuery(q query.Query) (*textQuery, bool, error) {
	m := &textMatcher{}
	switch t := q.(type) {
	case *query.MatchQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		m.kind = matchAny
		if t.Operator == query.MatchQueryOperatorAnd {
			m.kind = matchAll
		}
		for _, tok := range analyzeText(t.Match) {
			m.terms = append(m.terms, tokenMatch{term: tok, fuzz: t.Fuzziness, prefix: t.Prefix})
		}
	case *query.MatchPhraseQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		m.kind = matchPhrase
		for _, tok := range analyzeText(t.MatchPhrase) {
			m.terms = append(m.terms, tokenMatch{term: tok, fuzz: t.Fuzziness})
		}
	case *query.TermQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		m.terms = []tokenMatch{{term: []byte(t.Term)}}
	case *query.FuzzyQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		m.terms = []tokenMatch{{term: []byte(t.Term), fuzz: t.Fuzziness, prefix: t.Prefix}}
	case *query.PrefixQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		re, err := regexp.Compile("^" + regexp.QuoteMeta(t.Prefix))
		if err != nil {
			return nil, true, err
		}
		m.terms = []tokenMatch{{re: re}}
	case *query.WildcardQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		re, err := wholeToken(wildcardRegexp.Replace(t.Wildcard))
		if err != nil {
			return nil, true, fmt.Errorf("wildcard %q: %w", t.Wildcard, err)
		}
		m.terms = []tokenMatch{{re: re}}
	case *query.RegexpQuery:
		if !isTextField(t.FieldVal) {
			return nil, false, nil
		}
		re, err := wholeToken(strings.TrimPrefix(t.Regexp, "^"))
		if err != nil {
			return nil, true, fmt.Errorf("/%s/: %w", t.Regexp, err)
		}
		m.terms = []tokenMatch{{re: re}}
	default:
		return nil, false, nil
	}
	if len(m.terms) == 0 {
		m.kind = matchNone
	} else if len(m.terms) == 1 {
		m.kind = matchAny
	}
	m.needles = needlesOf(m)
	return &textQuery{orig: q, key: m.String(), m: m}, true, nil
}

// wildcardRegexp is Bleve's translation of a wildcard to a regexp.
var wildcardRegexp = strings.NewReplacer(
	"+", `\+`, "(", `\(`, ")", `\)`, "^", `\^`, "$", `\$`, ".", `\.`,
	"{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`, `|`, `\|`, `\`, `\\`,
	"*", ".*", "?", ".")

// wholeToken compiles a term regexp the way Bleve applied it: to the whole
// term.
func wholeToken(re string) (*regexp.Regexp, error) { return regexp.Compile("^(?:" + re + ")$") }

// needlesOf is the literals a matching message must contain, if any.
func needlesOf(m *textMatcher) [][]byte {
	switch m.kind {
	case matchAny:
		var out [][]byte
		for _, t := range m.terms {
			if !t.exact() {
				return nil
			}
			out = append(out, t.term)
		}
		return out
	case matchAll, matchPhrase:
		var best []byte
		for _, t := range m.terms {
			if t.exact() && len(t.term) > len(best) {
				best = t.term
			}
		}
		if best == nil {
			return nil
		}
		return [][]byte{best}
	}
	return nil
}

func (m *textMatcher) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", m.kind)
	for _, t := range m.terms {
		fmt.Fprintf(&b, "|%q~%d^%d", t.term, t.fuzz, t.prefix)
		if t.re != nil {
			b.WriteString("/" + t.re.String())
		}
	}
	return b.String()
}

// matchTokens says whether a message's tokens satisfy the clause.
func (m *textMatcher) matchTokens(toks [][]byte) bool {
	switch m.kind {
	case matchAny:
		for _, tok := range toks {
			for i := range m.terms {
				if m.terms[i].matches(tok) {
					return true
				}
			}
		}
	case matchAll:
		for i := range m.terms {
			if !slices.ContainsFunc(toks, m.terms[i].matches) {
				return false
			}
		}
		return true
	case matchPhrase:
		n := len(m.terms)
	outer:
		for i := 0; i+n <= len(toks); i++ {
			for j := range m.terms {
				if !m.terms[j].matches(toks[i+j]) {
					continue outer
				}
			}
			return true
		}
	}
	return false
}

// scanner holds one worker's buffers.
type scanner struct {
	m     *textMatcher
	z     []byte
	raw   []byte
	lower []byte
	toks  [][]byte
	arena []byte
}

// tokens splits msg into its lower-cased tokens, as the analyser does.
func (sc *scanner) tokens(msg []byte) [][]byte {
	sc.toks, sc.arena = sc.toks[:0], sc.arena[:0]
	eachToken(msg, func(s, e int) {
		tok := msg[s:e]
		start := len(sc.arena)
		if isASCII(tok) {
			for _, c := range tok {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				sc.arena = append(sc.arena, c)
			}
		} else {
			// Bleve's own filter: Unicode lower-casing has edge cases
			// (final sigma, wider replacements) worth not re-deriving.
			cp := append([]byte(nil), tok...)
			ts := lowerFilter.Filter(analysis.TokenStream{&analysis.Token{Term: cp}})
			sc.arena = append(sc.arena, ts[0].Term...)
		}
		sc.toks = append(sc.toks, sc.arena[start:len(sc.arena):len(sc.arena)])
	})
	// Tokens cut before the arena grew still point at the old array,
	// whose bytes appends never change.
	return sc.toks
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases ASCII letters of src into dst and says whether
// src was all ASCII. Eight bytes at a time: it was a third of a scan's CPU
// byte by byte.
func lowerASCII(dst, src []byte) ([]byte, bool) {
	dst = slices.Grow(dst[:0], len(src))[:len(src)]
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
		low7 = 0x7f7f7f7f7f7f7f7f
	)
	var seen uint64
	i := 0
	for ; i+8 <= len(src); i += 8 {
		x := binary.LittleEndian.Uint64(src[i:])
		seen |= x
		y := x & low7
		// Per byte: bit 7 of ge is set when the byte is >= 'A', of gt when
		// it is > 'Z' (the low seven bits cannot carry into the next byte).
		ge := y + ones*(0x80-'A')
		gt := y + ones*(0x80-'Z'-1)
		upper := ge &^ gt &^ x & high
		binary.LittleEndian.PutUint64(dst[i:], x|upper>>2)
	}
	for ; i < len(src); i++ {
		c := src[i]
		seen |= uint64(c)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return dst, seen&high == 0
}

func containsAny(b []byte, needles [][]byte) bool {
	for _, n := range needles {
		if bytes.Contains(b, n) {
			return true
		}
	}
	return false
}

// frame appends the seqs of frame f's matching messages to out.
func (sc *scanner) frame(l *eventLog, f int, r frameRec, out []uint32) ([]uint32, error) {
	if sc.m.kind == matchNone {
		return out, nil
	}
	sc.z = slices.Grow(sc.z[:0], int(r.msgLen))[:r.msgLen]
	z := sc.z
	if _, err := l.msg.ReadAt(z, r.msgOff); err != nil {
		return out, fmt.Errorf("index: read message frame %d: %w", f, err)
	}
	raw, err := zdec.DecodeAll(z, sc.raw[:0])
	if err != nil {
		return out, fmt.Errorf("index: message frame %d: %w", f, err)
	}
	sc.raw = raw
	needles := sc.m.needles
	var ascii bool
	if needles != nil {
		sc.lower, ascii = lowerASCII(sc.lower, raw)
		// A frame of ASCII text without any needle holds no match. (Text
		// that is not ASCII can lower-case to ASCII: K, the Kelvin sign,
		// is k; such messages are always tokenized.)
		if ascii && !containsAny(sc.lower, needles) {
			return out, nil
		}
	}
	base := uint32(f) * frameEvents
	for k, p := 0, 0; p < len(raw); k++ {
		n, w := binary.Uvarint(raw[p:])
		if w <= 0 || uint64(len(raw)-p-w) < n {
			return out, fmt.Errorf("index: message frame %d: truncated", f)
		}
		s, e := p+w, p+w+int(n)
		p = e
		msg := raw[s:e]
		if needles != nil && (ascii || isASCII(msg)) && !containsAny(sc.lower[s:e], needles) {
			continue
		}
		if sc.m.matchTokens(sc.tokens(msg)) {
			out = append(out, base+uint32(k))
		}
	}
	return out, nil
}

// scanText is the set of events among the first frames whose message
// matches m, scanning frames on every core; only, when not nil, limits the
// scan to those frames.
func (l *eventLog) scanText(ctx context.Context, m *textMatcher, frames int, only *roaring.Bitmap) (*roaring.Bitmap, error) {
	var list []int
	if only != nil {
		it := only.Iterator()
		for it.HasNext() {
			if f := int(it.Next()); f < frames {
				list = append(list, f)
			}
		}
	} else {
		list = make([]int, frames)
		for i := range list {
			list[i] = i
		}
	}
	const per = 16 // frames per task
	tasks := (len(list) + per - 1) / per
	results := make([][]uint32, tasks)
	errs := make([]error, tasks)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scanner{m: m}
			for t := range next {
				var out []uint32
				for _, f := range list[t*per : min((t+1)*per, len(list))] {
					r, _ := l.rec(f)
					var err error
					if out, err = sc.frame(l, f, r, out); err != nil {
						errs[t] = err
						break
					}
				}
				results[t] = out
			}
		}()
	}
	for t := 0; t < tasks; t++ {
		select {
		case next <- t:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set := roaring.New()
	for t, r := range results {
		if errs[t] != nil {
			return nil, errs[t]
		}
		set.AddMany(r)
	}
	return set, nil
}

// textCache keeps the last few clauses' sets: the workbench asks a page,
// a histogram and facets of every query, and retypes queries.
type textCache struct {
	mu     sync.Mutex
	frames int
	sets   map[string]*roaring.Bitmap
	order  []string
}

const textCacheSize = 16

// textSet is the set of committed events matching m.
func (s *Store) textSet(ctx context.Context, key string, m *textMatcher) (*roaring.Bitmap, error) {
	frames := s.log.frames()
	c := &s.texts
	c.mu.Lock()
	if c.frames != frames {
		c.frames, c.sets, c.order = frames, map[string]*roaring.Bitmap{}, nil
	}
	if set, ok := c.sets[key]; ok {
		c.mu.Unlock()
		return set, nil
	}
	c.mu.Unlock()
	set, err := s.log.scanText(ctx, m, frames, nil)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frames == frames {
		if c.sets == nil {
			c.sets = map[string]*roaring.Bitmap{}
		}
		c.sets[key] = set
		c.order = append(c.order, key)
		if len(c.order) > textCacheSize {
			delete(c.sets, c.order[0])
			c.order = c.order[1:]
		}
	}
	return set, nil
}

// seqs is the clause's set of events, scanned once per query.
func (q *textQuery) seqs(ctx context.Context) (*roaring.Bitmap, error) {
	q.once.Do(func() {
		if q.only != nil {
			// Narrowed to a selective structured part's frames: not
			// cached, the frames are that query's.
			q.set, q.err = q.s.log.scanText(ctx, q.m, q.s.log.frames(), q.only)
			return
		}
		q.set, q.err = q.s.textSet(ctx, q.key, q.m)
	})
	return q.set, q.err
}

// Searcher implements query.Query.
func (q *textQuery) Searcher(ctx context.Context, r bindex.IndexReader, _ mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if q.s == nil {
		return searcher.NewMatchNoneSearcher(r)
	}
	set, err := q.seqs(ctx)
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("index: free text needs a scorch index, not %T", r)
	}
	docs, err := q.s.docNums(snap, set)
	if err != nil {
		return nil, err
	}
	return &listSearcher{docs: docs, scorer: scorer.NewConstantScorer(1.0, 1.0, options)}, nil
}

// docMap maps event numbers to the doc numbers of one snapshot.
type docMap struct {
	segs  []uint64 // segment ids
	docOf []uint32 // seq -> global doc number + 1 (0: none)
}

// seqMaps caches, per segment, each local document's event number. A
// segment never changes, so its map is made once (a walk of its id
// dictionary, about 1.5 s per million events) and kept beside the index
// (seqmapDir) for every later process: a reader asking its first
// free-text question paid that walk each time.
type seqMaps struct {
	mu   sync.Mutex
	segs map[uint64][]uint32
	last *docMap
}

// seqmapDir holds one file per events segment: its documents' event
// numbers, 4 bytes each, little-endian.
const seqmapDir = "seqmaps"

// docNums are the snapshot's global doc numbers of the events in set,
// ascending.
func (s *Store) docNums(snap *scorch.IndexSnapshot, set *roaring.Bitmap) ([]uint64, error) {
	dm, err := s.docMapOf(snap)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, 0, set.GetCardinality())
	it := set.Iterator()
	for it.HasNext() {
		seq := it.Next()
		if int(seq) < len(dm.docOf) && dm.docOf[seq] != 0 {
			out = append(out, uint64(dm.docOf[seq]-1))
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *Store) docMapOf(snap *scorch.IndexSnapshot) (*docMap, error) {
	ss := snap.Segments()
	m := &s.seqm
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last != nil && len(m.last.segs) == len(ss) {
		same := true
		for i := range ss {
			if m.last.segs[i] != ss[i].Id() {
				same = false
				break
			}
		}
		if same {
			return m.last, nil
		}
	}
	if m.segs == nil {
		m.segs = map[uint64][]uint32{}
	}
	live := map[uint64]bool{}
	dm := &docMap{}
	var offset uint64
	for _, seg := range ss {
		id := seg.Id()
		live[id] = true
		seqs, ok := m.segs[id]
		if !ok {
			seqs, ok = s.loadSeqMap(id, seg.Segment().Count())
		}
		if !ok {
			var err error
			if seqs, err = segmentSeqs(seg.Segment()); err != nil {
				return nil, err
			}
			s.saveSeqMap(id, seqs)
		}
		m.segs[id] = seqs
		dm.segs = append(dm.segs, id)
		for local, seq := range seqs {
			if seq == noSeq {
				continue
			}
			if int(seq) >= len(dm.docOf) {
				dm.docOf = slices.Grow(dm.docOf, int(seq)+1-len(dm.docOf))[:int(seq)+1]
			}
			dm.docOf[seq] = uint32(offset+uint64(local)) + 1
		}
		offset += uint64(seg.FullSize())
	}
	for id := range m.segs {
		if !live[id] {
			delete(m.segs, id)
		}
	}
	if !s.readOnly {
		s.pruneSeqMaps(live)
	}
	m.last = dm
	return dm, nil
}

func (s *Store) seqMapPath(id uint64) string {
	return filepath.Join(s.dir, seqmapDir, fmt.Sprintf("%012x.seq", id))
}

// loadSeqMap reads a saved map; one of the wrong length is not used.
func (s *Store) loadSeqMap(id uint64, docs uint64) ([]uint32, bool) {
	b, err := os.ReadFile(s.seqMapPath(id))
	if err != nil || uint64(len(b)) != 4*docs {
		return nil, false
	}
	out := make([]uint32, docs)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out, true
}

// saveSeqMap keeps a segment's map for later processes; a read-only store
// or a failed write only costs the next process the walk again.
func (s *Store) saveSeqMap(id uint64, seqs []uint32) {
	if s.readOnly || s.Failed() != nil {
		return
	}
	b := make([]byte, 4*len(seqs))
	for i, v := range seqs {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	if err := os.MkdirAll(filepath.Join(s.dir, seqmapDir), 0o700); err != nil {
		return
	}
	tmp := s.seqMapPath(id) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		os.Remove(tmp)
		return
	}
	os.Rename(tmp, s.seqMapPath(id))
}

// pruneSeqMaps deletes the maps of segments merged away.
func (s *Store) pruneSeqMaps(live map[uint64]bool) {
	ents, _ := os.ReadDir(filepath.Join(s.dir, seqmapDir))
	for _, e := range ents {
		var id uint64
		if _, err := fmt.Sscanf(e.Name(), "%x.seq", &id); err == nil && !live[id] && !strings.HasSuffix(e.Name(), ".tmp") {
			os.Remove(filepath.Join(s.dir, seqmapDir, e.Name()))
		}
	}
}

// PrepareText makes the free-text maps of the index's current segments
// (import runs it after compaction, so readers find them made).
func (s *Store) PrepareText() error {
	snap, err := s.snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	_, err = s.docMapOf(snap)
	return err
}

const noSeq = ^uint32(0)

// segmentSeqs reads a segment's event number per local document from its
// id dictionary (documents that are not events get noSeq).
func segmentSeqs(sg segment.Segment) ([]uint32, error) {
	out := make([]uint32, sg.Count())
	for i := range out {
		out[i] = noSeq
	}
	d, err := sg.Dictionary("_id")
	if err != nil {
		return nil, fmt.Errorf("index: id dictionary: %w", err)
	}
	var it segment.DictionaryIterator
	if oc, ok := d.(interface {
		AutomatonIteratorOmitCount(segment.Automaton, []byte, []byte) segment.DictionaryIterator
	}); ok {
		it = oc.AutomatonIteratorOmitCount(nil, nil, nil)
	} else {
		it = d.AutomatonIterator(nil, nil, nil)
	}
	var pl segment.PostingsList
	for {
		e, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("index: id dictionary: %w", err)
		}
		if e == nil {
			return out, nil
		}
		seq, err := seqOf(e.Term)
		if err != nil {
			continue
		}
		if pl, err = d.PostingsList([]byte(e.Term), nil, pl); err != nil {
			return nil, fmt.Errorf("index: postings of id %s: %w", e.Term, err)
		}
		pi := pl.Iterator(false, false, false, nil)
		p, err := pi.Next()
		if err != nil {
			return nil, err
		}
		if p != nil && p.Number() < uint64(len(out)) {
			out[p.Number()] = uint32(seq)
		}
	}
}

// listSearcher yields a sorted list of doc numbers.
type listSearcher struct {
	docs   []uint64
	i      int
	scorer *scorer.ConstantScorer
	id     bindex.IndexInternalID
}

func (l *listSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if l.i >= len(l.docs) {
		return nil, nil
	}
	l.id = bindex.NewIndexInternalID(l.id, l.docs[l.i])
	l.i++
	return l.scorer.Score(ctx, l.id), nil
}

func (l *listSearcher) Advance(ctx *search.SearchContext, id bindex.IndexInternalID) (*search.DocumentMatch, error) {
	v := id.Value()
	j, _ := slices.BinarySearch(l.docs[l.i:], v)
	l.i += j
	return l.Next(ctx)
}

func (l *listSearcher) Close() error               { return nil }
func (l *listSearcher) Weight() float64            { return l.scorer.Weight() }
func (l *listSearcher) SetQueryNorm(n float64)     { l.scorer.SetQueryNorm(n) }
func (l *listSearcher) Count() uint64              { return uint64(len(l.docs)) }
func (l *listSearcher) Min() int                   { return 0 }
func (l *listSearcher) Size() int                  { return 64 + 8*len(l.docs) }
func (l *listSearcher) DocumentMatchPoolSize() int { return 1 }

// editDistance is the Levenshtein distance of a and b over runes, or
// more than max once it must exceed it.
func editDistance(a, b []byte, max int) int {
	ra, rb := []rune(string(a)), []rune(string(b))
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// textOnly returns how to answer q in event numbers alone, when it is free
// text combined by AND, OR and NOT (ok=false otherwise): a count of such a
// query needs no Bleve search and no document map.
func (s *Store) textOnly(q query.Query) (func(context.Context) (*roaring.Bitmap, error), bool) {
	switch t := q.(type) {
	case *textQuery:
		if t.s == nil {
			return nil, false
		}
		return t.seqs, true
	case *query.MatchAllQuery:
		return func(context.Context) (*roaring.Bitmap, error) { return s.allSeqs(), nil }, true
	case *query.MatchNoneQuery:
		return func(context.Context) (*roaring.Bitmap, error) { return roaring.New(), nil }, true
	case *query.ConjunctionQuery:
		return s.combine(t.Conjuncts, roaring.FastAnd)
	case *query.DisjunctionQuery:
		if t.Min > 1 {
			return nil, false
		}
		return s.combine(t.Disjuncts, roaring.FastOr)
	case *query.BooleanQuery:
		if t.Should != nil || t.Must == nil {
			return nil, false
		}
		must, ok := s.textOnly(t.Must)
		if !ok {
			return nil, false
		}
		if t.MustNot == nil {
			return must, true
		}
		not, ok := s.textOnly(t.MustNot)
		if !ok {
			return nil, false
		}
		return func(ctx context.Context) (*roaring.Bitmap, error) {
			a, err := must(ctx)
			if err != nil {
				return nil, err
			}
			b, err := not(ctx)
			if err != nil {
				return nil, err
			}
			return roaring.AndNot(a, b), nil
		}, true
	}
	return nil, false
}

func (s *Store) combine(qs []query.Query, op func(...*roaring.Bitmap) *roaring.Bitmap) (func(context.Context) (*roaring.Bitmap, error), bool) {
	fs := make([]func(context.Context) (*roaring.Bitmap, error), len(qs))
	for i, q := range qs {
		f, ok := s.textOnly(q)
		if !ok {
			return nil, false
		}
		fs[i] = f
	}
	return func(ctx context.Context) (*roaring.Bitmap, error) {
		bs := make([]*roaring.Bitmap, len(fs))
		for i, f := range fs {
			b, err := f(ctx)
			if err != nil {
				return nil, err
			}
			bs[i] = b
		}
		return op(bs...), nil
	}, true
}

// allSeqs is every committed event's number.
func (s *Store) allSeqs() *roaring.Bitmap {
	s.log.mu.RLock()
	defer s.log.mu.RUnlock()
	b := roaring.New()
	for f, r := range s.log.recs {
		first := uint64(f) * frameEvents
		b.AddRange(first, first+uint64(r.n))
	}
	return b
}

// ForgetText drops the cached free-text sets, so the next question scans
// again (benchmarks time the scan).
func (s *Store) ForgetText() {
	s.texts.mu.Lock()
	s.texts.sets, s.texts.order = nil, nil
	s.texts.mu.Unlock()
}

// postingFacets is bitFacets for callers with no other way to count:
// most event fields keep no doc values (fields.go), so Bleve's own facets
// cannot count them.
func (s *Store) postingFacets(ctx context.Context, bq query.Query, fields []string, n int) ([]Facet, error) {
	out, ok, err := s.bitFacets(ctx, bq, fields, n)
	if err == nil && !ok {
		err = fmt.Errorf("the events index is not a scorch index")
	}
	return out, err
}
