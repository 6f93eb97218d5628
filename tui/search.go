package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// result is one query's answer and the analyst's place in it: the events
// (with the cursor), the facets (with the value picked), the timeline (with
// the bar picked) and, after a pivot, its card. A pivot pushes it whole
// and esc restores it whole.
type result struct {
	query    string
	table    eventTable
	facets   facetPanel
	timeline timeline
	card     *sessions.PivotCard
}

// zone is the part of the Search view that has the arrow keys.
type zone int

const (
	zoneTable zone = iota
	zoneFacets
	zoneTimeline
)

// searchView is the Search tab: the query line, the result on screen and
// the pivots that led to it. A search is two commands (the page, then the
// timeline and facets); a newer search cancels and supersedes older ones
// (seq).
type searchView struct {
	base
	input  queryInput
	save   savePrompt
	cur    result
	pivots pivotStack
	focus  zone

	seq    int
	cancel context.CancelFunc
	busy   bool
}

type searchMsg struct {
	seq int
	res *index.Result
	err error
}

// aggMsg carries the timeline and facets of a search.
type aggMsg struct {
	seq    int
	hist   []index.Bucket
	step   time.Duration
	facets []index.Facet
	err    error
}

func newSearchView(e *env) *searchView {
	return &searchView{base: base{env: e}, input: newQueryInput(e.opts.InitialQuery), save: newSavePrompt(), cur: result{query: e.opts.InitialQuery}}
}

func (s *searchView) Title() string { return "Search" }

func (s *searchView) Init() tea.Cmd { return s.run(s.env.opts.InitialQuery) }

func (s *searchView) Typing() bool { return s.input.focused() || s.save.open }

func (s *searchView) query() string { return s.cur.query }

func (s *searchView) ShortHelp() []key.Binding {
	return []key.Binding{keys.Focus, keys.Open, keys.PivotUser, keys.PivotHost, keys.PivotIP, keys.Back}
}

func (s *searchView) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{keys.Focus, keys.Run, keys.Back, keys.Save, keys.Facets, keys.Histogram},
		listKeys,
		{keys.PivotUser, keys.PivotHost, keys.PivotIP, keys.Open},
	}
}

// run starts a search; a newer one cancels and supersedes older ones.
func (s *searchView) run(q string) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithCancel(s.env.ctx)
	s.cancel = cancel
	s.seq++
	seq := s.seq
	s.cur.query = q
	s.busy = true
	h := s.env.store
	// Results first, the timeline and facets in a second message: the
	// table redraws as soon as its page is read.
	page := func() tea.Msg {
		res, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) (*index.Result, error) {
			return st.Search(ctx, index.Query{Q: q}, index.Page{Size: pageSize})
		})
		return searchMsg{seq: seq, res: res, err: err}
	}
	aggs := func() tea.Msg {
		iq := index.Query{Q: q}
		msg := aggMsg{seq: seq}
		st, ctx, done, err := h.acquire(ctx)
		if err != nil {
			msg.err = err
			return msg
		}
		defer done()
		var herr, ferr error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg.hist, msg.step, herr = st.Histogram(ctx, iq, timelineBars)
		}()
		msg.facets, ferr = st.Facets(ctx, iq, facetFields, 5)
		wg.Wait()
		msg.err = errors.Join(herr, ferr)
		return msg
	}
	return tea.Batch(page, aggs)
}

// setQuery shows q in the query line, remembers it and runs it.
func (s *searchView) setQuery(q string) tea.Cmd {
	s.input.set(q)
	s.input.remember(q)
	return s.run(q)
}

// narrow adds a clause to the current query.
func (s *searchView) narrow(clause string) tea.Cmd {
	q := s.cur.query
	if q == "" || q == "*" {
		q = clause
	} else {
		q = q + " " + clause
	}
	return s.setQuery(q)
}

func (s *searchView) Update(msg tea.Msg) (view, tea.Cmd) {
	switch msg := msg.(type) {
	case searchMsg:
		if msg.seq != s.seq {
			return s, nil // a newer query is in flight
		}
		s.busy = false
		if msg.err != nil {
			s.err = msg.err.Error()
			return s, nil
		}
		s.err = ""
		s.cur.table.show(msg.res)
	case aggMsg:
		if msg.seq != s.seq {
			return s, nil
		}
		if msg.err != nil {
			s.err = msg.err.Error()
			return s, nil
		}
		s.cur.timeline.show(msg.hist, msg.step)
		s.cur.facets.show(msg.facets)
	case pivotMsg:
		if !s.pivots.current(msg) {
			return s, nil // the analyst left that pivot
		}
		if msg.err != nil {
			s.err = msg.err.Error()
			return s, nil
		}
		s.cur.card = msg.card
	case runQueryMsg:
		return s, tea.Batch(show(s), s.setQuery(msg.query))
	case refreshMsg:
		return s, s.run(s.cur.query)
	case tea.KeyMsg:
		switch {
		case s.save.open:
			return s, s.save.key(msg, s.env.opts.Saved, s.cur.query)
		case s.input.focused():
			q, cmd := s.input.key(msg, s.cur.query)
			if q != "" {
				return s, s.run(q)
			}
			return s, cmd
		}
		return s, s.keyBrowse(msg)
	}
	return s, nil
}

func (s *searchView) keyBrowse(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, keys.Focus):
		s.focus = zoneTable
		return s.input.focus()
	case key.Matches(msg, keys.Save):
		return s.save.start()
	case key.Matches(msg, keys.Facets):
		s.focus = map[zone]zone{zoneTable: zoneFacets, zoneFacets: zoneTable, zoneTimeline: zoneFacets}[s.focus]
		return nil
	case key.Matches(msg, keys.Histogram):
		s.focus = map[zone]zone{zoneTable: zoneTimeline, zoneFacets: zoneTimeline, zoneTimeline: zoneTable}[s.focus]
		return nil
	case key.Matches(msg, keys.Back):
		if s.focus != zoneTable {
			s.focus = zoneTable
			return nil
		}
		s.back()
		return nil
	}
	var clause string
	switch s.focus {
	case zoneFacets:
		clause = s.cur.facets.key(msg)
	case zoneTimeline:
		clause = s.cur.timeline.key(msg)
	default:
		return s.keyTable(msg)
	}
	if clause == "" {
		return nil
	}
	s.focus = zoneTable
	return s.narrow(clause)
}

func (s *searchView) keyTable(msg tea.KeyMsg) tea.Cmd {
	if s.cur.table.rows.keyList(msg, s.cur.table.len(), 10) {
		return nil
	}
	ev := s.cur.table.selected()
	if ev == nil {
		return nil
	}
	switch {
	case key.Matches(msg, keys.PivotUser):
		return s.pivot("user", ev.User)
	case key.Matches(msg, keys.PivotHost):
		return s.pivot("host", ev.Host)
	case key.Matches(msg, keys.PivotIP):
		return s.pivot("ip", ev.SrcIP)
	case key.Matches(msg, keys.Open):
		return openSessionOf(s.env, ev)
	}
	return nil
}

// pivot keeps where the analyst is, then shows everything about one value.
func (s *searchView) pivot(kind, value string) tea.Cmd {
	if value == "" {
		s.err = "nothing to pivot on: the selected event has no " + kind
		return nil
	}
	card := s.pivots.push(s.env, s.cur, kind, value)
	s.cur.card = nil
	q := pivotQuery(kind, value)
	return tea.Batch(s.setQuery(q), card)
}

// back restores exactly the result before the last pivot.
func (s *searchView) back() {
	left, ok := s.pivots.pop()
	if !ok {
		return
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.seq++ // drops the pivot's search still in flight
	s.busy = false
	s.cur = left
	s.input.set(left.query)
}

func (s *searchView) View(w, h int) string {
	var b strings.Builder
	loc := s.env.opts.Location
	if c := s.pivots.crumbs(w); c != "" {
		b.WriteString(c + "\n")
		h--
	}
	if s.save.open {
		b.WriteString(s.save.view() + "\n")
	} else {
		b.WriteString(s.input.view() + "\n")
	}
	total := s.cur.table.summary()
	if s.busy {
		total = "searching… " + total
	}
	b.WriteString(styleDim.Render(fit(total, w)) + "\n")
	h -= 2

	if s.cur.card != nil && h > 12 {
		card := cardView(s.cur.card, loc, w)
		b.WriteString(card + "\n")
		h -= strings.Count(card, "\n") + 1
	}
	histH := 0
	switch {
	case len(s.cur.timeline.hist) == 0:
	case h >= 30:
		histH = 6
	case h >= 16:
		histH = 3
	}
	sideW := 0
	if w >= 100 {
		sideW = 30
	}
	detail := ""
	detailH := 0
	if h >= 14 {
		detail = s.cur.table.detailView(loc, w, min(12, h/3))
		if detail != "" {
			detailH = strings.Count(detail, "\n") + 1
		}
	}
	tableH := h - histH - detailH
	if tableH < 2 {
		tableH = 2
	}
	tableW := w
	if sideW > 0 {
		tableW = w - sideW - 1
	}
	table := s.cur.table.view(loc, tableW, tableH, s.focus == zoneTable)
	if sideW > 0 {
		side := s.cur.facets.view(sideW, tableH, s.focus == zoneFacets)
		table = joinColumns(table, side, tableW, tableH)
	}
	b.WriteString(table)
	if detailH > 0 {
		b.WriteString("\n" + detail)
	}
	if histH > 0 {
		b.WriteString("\n" + s.cur.timeline.view(loc, w, histH, s.focus == zoneTimeline))
	}
	if sideW == 0 && s.focus == zoneFacets {
		b.WriteString("\n" + s.cur.facets.view(w, 8, true))
	}
	return b.String()
}

// joinColumns sets right beside left (lw cells wide), h lines.
func joinColumns(left, right string, lw, h int) string {
	l := strings.Split(left, "\n")
	r := strings.Split(right, "\n")
	var out []string
	for i := 0; i < h; i++ {
		a, c := "", ""
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			c = r[i]
		}
		out = append(out, padRendered(a, lw)+" "+c)
	}
	return strings.Join(out, "\n")
}

// padRendered cuts or pads a rendered line to exactly w cells.
func padRendered(s string, w int) string {
	s = clip(s, w)
	if n := lipgloss.Width(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
