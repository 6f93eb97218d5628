package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

// fieldNames complete after a query word (tab while typing).
var fieldNames = []string{"action:", "bytes_in:", "bytes_out:", "client:", "command:", "dst_host:", "dst_ip:", "dst_port:", "duration:",
	"file:", "format:", "forward:", "hassh:", "hassh_server:", "host:", "key_fp:", "key_type:", "message:", "method:", "notice:",
	"outcome:", "pid:", "program:", "reason:", "server:", "service:", "ses:", "sid:", "src_ip:", "src_port:", "ts:", "tty:", "uid:", "user:", "zeek_uid:"}

var facetFields = []string{"user", "src_ip", "host", "action"}

// pageSize rows are fetched per query: several screens, cheap to read.
const pageSize = 200

type searchMsg struct {
	seq    int
	query  string
	res    *index.Result
	hist   []index.Bucket
	step   time.Duration
	facets []index.Facet
	err    error
}

// aggMsg carries the timeline and facets of a search.
type aggMsg struct {
	seq    int
	hist   []index.Bucket
	step   time.Duration
	facets []index.Facet
	err    error
}

type pivotMsg struct {
	seq  int
	card *sessions.PivotCard
	err  error
}

// searchState is what esc restores after a pivot: query, selection, scroll.
type searchState struct {
	query  string
	res    *index.Result
	hist   []index.Bucket
	step   time.Duration
	facets []index.Facet
	rows   list
	card   *sessions.PivotCard
	crumb  string
}

type searchView struct {
	opts    *Options
	input   textinput.Model
	query   string
	history []string
	histPos int

	seq    int
	cancel context.CancelFunc
	busy   bool
	err    string

	res    *index.Result
	hist   []index.Bucket
	step   time.Duration
	facets []index.Facet
	rows   list

	focus    int // 0 results, 1 facets, 2 timeline
	facetSel int
	barSel   int

	card   *sessions.PivotCard
	crumbs []string
	stack  []searchState

	saving  bool
	saveIn  textinput.Model
	savedOK string
}

func newSearchView(opts *Options) *searchView {
	in := textinput.New()
	in.Prompt = "query> "
	in.Placeholder = `* or user:root action:auth_failure src_ip:10.0.0.0/8 "Failed password"`
	in.CharLimit = 2000
	s := &searchView{opts: opts, input: in, query: opts.InitialQuery}
	in.SetValue(opts.InitialQuery)
	s.input = in
	s.saveIn = textinput.New()
	s.saveIn.Prompt = "save as> "
	return s
}

// run starts a search; a newer one cancels and supersedes older ones.
func (s *searchView) run(q string) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.seq++
	seq := s.seq
	s.query = q
	s.busy = true
	st := s.opts.Store
	// Results first, the timeline and facets in a second message: the
	// table redraws as soon as its page is read.
	page := func() tea.Msg {
		res, err := st.Search(ctx, index.Query{Q: q}, index.Page{Size: pageSize})
		return searchMsg{seq: seq, query: q, res: res, err: err}
	}
	aggs := func() tea.Msg {
		iq := index.Query{Q: q}
		msg := aggMsg{seq: seq}
		var herr, ferr error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg.hist, msg.step, herr = st.Histogram(ctx, iq, 60)
		}()
		msg.facets, ferr = st.Facets(ctx, iq, facetFields, 5)
		wg.Wait()
		msg.err = errors.Join(herr, ferr)
		return msg
	}
	return tea.Batch(page, aggs)
}

func (s *searchView) setQuery(q string) tea.Cmd {
	s.input.SetValue(q)
	s.remember(q)
	return s.run(q)
}

func (s *searchView) remember(q string) {
	if q != "" && (len(s.history) == 0 || s.history[len(s.history)-1] != q) {
		s.history = append(s.history, q)
	}
	s.histPos = len(s.history)
}

func (s *searchView) selected() *schema.Event {
	if s.res == nil || s.rows.cursor >= len(s.res.Events) {
		return nil
	}
	return s.res.Events[s.rows.cursor]
}

func (s *searchView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case searchMsg:
		if msg.seq != s.seq {
			return nil // a newer query is in flight
		}
		s.busy = false
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		s.err = ""
		s.res = msg.res
		s.rows = list{}
		return nil
	case aggMsg:
		if msg.seq != s.seq {
			return nil
		}
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		s.hist, s.step, s.facets = msg.hist, msg.step, msg.facets
		s.barSel = max(0, len(s.hist)-1)
		s.facetSel = 0
		return nil
	case pivotMsg:
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		s.card = msg.card
		return nil
	case tea.KeyMsg:
		if s.saving {
			return s.keySave(msg)
		}
		if s.input.Focused() {
			return s.keyInput(msg)
		}
		return s.keyBrowse(msg)
	}
	return nil
}

func (s *searchView) keySave(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		s.saving = false
		return nil
	case tea.KeyEnter:
		name := strings.TrimSpace(s.saveIn.Value())
		s.saving = false
		if name == "" {
			return nil
		}
		f, q := s.opts.Saved, s.query
		return func() tea.Msg {
			err := f.Put(saved.Query{Name: name, Query: q, Target: saved.TargetEvents, Created: time.Now().UTC()})
			if err != nil {
				return errMsg{err}
			}
			return savedMsg{note: "saved " + name}
		}
	}
	var cmd tea.Cmd
	s.saveIn, cmd = s.saveIn.Update(msg)
	return cmd
}

func (s *searchView) keyInput(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEnter:
		q := strings.TrimSpace(s.input.Value())
		if q == "" {
			q = "*"
		}
		s.input.Blur()
		s.remember(q)
		return s.run(q)
	case tea.KeyEsc:
		s.input.Blur()
		s.input.SetValue(s.query)
		return nil
	case tea.KeyUp:
		if s.histPos > 0 {
			s.histPos--
			s.input.SetValue(s.history[s.histPos])
			s.input.CursorEnd()
		}
		return nil
	case tea.KeyDown:
		if s.histPos < len(s.history)-1 {
			s.histPos++
			s.input.SetValue(s.history[s.histPos])
		} else {
			s.histPos = len(s.history)
			s.input.SetValue("")
		}
		s.input.CursorEnd()
		return nil
	case tea.KeyTab:
		s.complete()
		return nil
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

// complete finishes the field name being typed.
func (s *searchView) complete() {
	v := s.input.Value()
	i := strings.LastIndexAny(v, " (+-!") + 1
	word := v[i:]
	if word == "" || strings.Contains(word, ":") {
		return
	}
	var hits []string
	for _, f := range fieldNames {
		if strings.HasPrefix(f, word) {
			hits = append(hits, f)
		}
	}
	if len(hits) == 0 {
		return
	}
	common := hits[0]
	for _, h := range hits[1:] {
		for !strings.HasPrefix(h, common) {
			common = common[:len(common)-1]
		}
	}
	s.input.SetValue(v[:i] + common)
	s.input.CursorEnd()
}

func quoteValue(field, v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `"`, `\"`)
	return field + `:"` + v + `"`
}

// narrow adds a clause to the current query.
func (s *searchView) narrow(clause string) tea.Cmd {
	q := s.query
	if q == "" || q == "*" {
		q = clause
	} else {
		q = q + " " + clause
	}
	return s.setQuery(q)
}

func (s *searchView) keyBrowse(msg tea.KeyMsg) tea.Cmd {
	n := 0
	if s.res != nil {
		n = len(s.res.Events)
	}
	switch {
	case key.Matches(msg, keys.Focus):
		s.focus = 0
		if s.input.Value() == "*" {
			s.input.SetValue("") // "*" is the empty query: type over it
		}
		s.input.Focus()
		s.input.CursorEnd()
		return textinput.Blink
	case key.Matches(msg, keys.Save):
		s.saving = true
		s.saveIn.SetValue("")
		s.saveIn.Focus()
		return textinput.Blink
	case key.Matches(msg, keys.Facets):
		s.focus = map[int]int{0: 1, 1: 0, 2: 1}[s.focus]
		return nil
	case key.Matches(msg, keys.Histogram):
		s.focus = map[int]int{0: 2, 1: 2, 2: 0}[s.focus]
		return nil
	case key.Matches(msg, keys.Back):
		if s.focus != 0 {
			s.focus = 0
			return nil
		}
		return s.back()
	}
	switch s.focus {
	case 1:
		return s.keyFacets(msg)
	case 2:
		return s.keyTimeline(msg)
	}
	if s.rows.keyList(msg, n, 10) {
		return nil
	}
	ev := s.selected()
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
		id := ev.ID
		st := s.opts.Store
		return func() tea.Msg {
			res, err := st.SearchSessions(context.Background(), index.Query{Q: "events:" + id}, index.Page{Size: 1})
			if err != nil || len(res.Sessions) == 0 {
				return errMsg{fmt.Errorf("no session holds this event")}
			}
			return openSessionMsg{sid: res.Sessions[0].SID}
		}
	}
	return nil
}

func (s *searchView) flatFacets() []index.FacetTerm {
	var out []index.FacetTerm
	for _, f := range s.facets {
		for _, t := range f.Terms {
			out = append(out, index.FacetTerm{Term: f.Field + "\x00" + t.Term, Count: t.Count})
		}
	}
	return out
}

func (s *searchView) keyFacets(msg tea.KeyMsg) tea.Cmd {
	all := s.flatFacets()
	switch {
	case key.Matches(msg, keys.Up):
		s.facetSel = max(0, s.facetSel-1)
	case key.Matches(msg, keys.Down):
		s.facetSel = min(len(all)-1, s.facetSel+1)
	case key.Matches(msg, keys.Open):
		if s.facetSel < len(all) {
			field, v, _ := strings.Cut(all[s.facetSel].Term, "\x00")
			s.focus = 0
			return s.narrow(quoteValue(field, v))
		}
	}
	return nil
}

func (s *searchView) keyTimeline(msg tea.KeyMsg) tea.Cmd {
	switch msg.String() {
	case "left", "h":
		s.barSel = max(0, s.barSel-1)
	case "right", "l":
		s.barSel = min(len(s.hist)-1, s.barSel+1)
	case "enter":
		if s.barSel < len(s.hist) {
			b := s.hist[s.barSel]
			s.focus = 0
			return s.narrow(fmt.Sprintf(`ts:>="%s" ts:<"%s"`, b.Start.UTC().Format(time.RFC3339), b.Start.Add(s.step).UTC().Format(time.RFC3339)))
		}
	}
	return nil
}

// pivot saves where the analyst is, then shows everything about one value.
func (s *searchView) pivot(kind, value string) tea.Cmd {
	if value == "" {
		s.err = "nothing to pivot on: the selected event has no " + kind
		return nil
	}
	s.stack = append(s.stack, searchState{query: s.query, res: s.res, hist: s.hist, step: s.step, facets: s.facets, rows: s.rows, card: s.card})
	s.crumbs = append(s.crumbs, kind+" "+value)
	field := map[string]string{"user": "user", "host": "host", "ip": "src_ip"}[kind]
	q := quoteValue(field, value)
	if kind == "ip" {
		q = "(" + quoteValue("src_ip", value) + " OR " + quoteValue("dst_ip", value) + ")"
	}
	s.card = nil
	s.input.SetValue(q)
	s.remember(q)
	st := s.opts.Store
	s.seq++
	seq := s.seq
	return tea.Batch(s.run(q), func() tea.Msg {
		card, err := sessions.Pivot(context.Background(), st, kind, value)
		return pivotMsg{seq: seq, card: card, err: err}
	})
}

// back restores exactly the state before the last pivot.
func (s *searchView) back() tea.Cmd {
	if len(s.stack) == 0 {
		return nil
	}
	top := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.crumbs = s.crumbs[:len(s.crumbs)-1]
	if s.cancel != nil {
		s.cancel()
	}
	s.seq++
	s.busy = false
	s.query, s.res, s.hist, s.step, s.facets, s.rows, s.card = top.query, top.res, top.hist, top.step, top.facets, top.rows, top.card
	s.input.SetValue(top.query)
	return nil
}

// ---- drawing

func (s *searchView) view(w, h int) string {
	var b strings.Builder
	if len(s.crumbs) > 0 {
		b.WriteString(styleCrumb.Render(fit("search › "+strings.Join(s.crumbs, " › ")+"   (esc: back)", w)) + "\n")
		h--
	}
	if s.saving {
		b.WriteString(s.saveIn.View() + "\n")
	} else {
		b.WriteString(s.input.View() + "\n")
	}
	total := "…"
	if s.res != nil {
		total = fmt.Sprintf("%d hits", s.res.Total)
		if s.res.Total > uint64(len(s.res.Events)) {
			total += fmt.Sprintf(" (newest %d shown)", len(s.res.Events))
		}
		total += fmt.Sprintf(" in %s", s.res.Took.Round(time.Millisecond))
	}
	if s.busy {
		total = "searching… " + total
	}
	b.WriteString(styleDim.Render(fit(total, w)) + "\n")
	h -= 2

	if s.card != nil && h > 12 {
		card := s.cardView(w)
		b.WriteString(card + "\n")
		h -= strings.Count(card, "\n") + 1
	}
	histH := 0
	switch {
	case len(s.hist) == 0:
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
		detail = s.detailView(w, min(12, h/3))
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
	table := s.tableView(tableW, tableH)
	if sideW > 0 {
		side := s.facetsView(sideW, tableH)
		table = joinColumns(table, side, tableW, tableH)
	}
	b.WriteString(table)
	if detailH > 0 {
		b.WriteString("\n" + detail)
	}
	if histH > 0 {
		b.WriteString("\n" + s.histView(w, histH))
	}
	if sideW == 0 && s.focus == 1 {
		b.WriteString("\n" + s.facetsView(w, 8))
	}
	return b.String()
}

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

func padRendered(s string, w int) string {
	s = clip(s, w)
	if n := lipglossWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

func (s *searchView) tableView(w, h int) string {
	cols := []struct {
		name string
		w    int
	}{{"TIME", 19}, {"HOST", 12}, {"ACTION", 14}, {"OUTCOME", 7}, {"USER", 12}, {"SOURCE", 21}}
	used := 0
	for _, c := range cols {
		used += c.w + 1
	}
	msgW := w - used
	if msgW < 10 { // narrow terminal: drop columns from the right
		cols = cols[:4]
		used = 0
		for _, c := range cols {
			used += c.w + 1
		}
		msgW = max(5, w-used)
	}
	var hdr strings.Builder
	for _, c := range cols {
		hdr.WriteString(pad(c.name, c.w) + " ")
	}
	hdr.WriteString(pad("MESSAGE", msgW))
	lines := []string{styleHeader.Render(fit(hdr.String(), w))}
	if s.res == nil || len(s.res.Events) == 0 {
		if s.res != nil {
			lines = append(lines, styleDim.Render("no events match"))
		}
		return strings.Join(lines, "\n")
	}
	from, to := s.rows.window(len(s.res.Events), h-1)
	for i := from; i < to; i++ {
		ev := s.res.Events[i]
		vals := []string{ev.TS.In(s.opts.Location).Format("2006-01-02 15:04:05"), ev.Host, ev.Action, ev.Outcome, ev.User, source(ev)}
		var row strings.Builder
		for j, c := range cols {
			row.WriteString(pad(vals[j], c.w) + " ")
		}
		row.WriteString(pad(ev.Message, msgW))
		line := row.String()
		switch {
		case i == s.rows.cursor && s.focus == 0:
			line = styleSelected.Render(line)
		case ev.Outcome == schema.OutcomeFailure:
			line = styleFailure.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func source(ev *schema.Event) string {
	if ev.SrcIP == "" {
		return ""
	}
	if ev.SrcPort == 0 {
		return ev.SrcIP
	}
	if strings.Contains(ev.SrcIP, ":") {
		return fmt.Sprintf("[%s]:%d", ev.SrcIP, ev.SrcPort)
	}
	return fmt.Sprintf("%s:%d", ev.SrcIP, ev.SrcPort)
}

func (s *searchView) facetsView(w, h int) string {
	var lines []string
	k := 0
	for _, f := range s.facets {
		lines = append(lines, styleHeader.Render(fit("top "+f.Field, w)))
		for _, t := range f.Terms {
			line := pad(fmt.Sprintf("%6d %s", t.Count, Sanitize(t.Term)), w)
			if s.focus == 1 && k == s.facetSel {
				line = styleSelected.Render(line)
			}
			lines = append(lines, line)
			k++
		}
	}
	if len(lines) > h {
		// keep the selected value visible
		sel := 0
		for i, l := range lines {
			if strings.Contains(l, "\x1b[7m") {
				sel = i
			}
		}
		start := max(0, min(sel-h/2, len(lines)-h))
		lines = lines[start : start+h]
	}
	return strings.Join(lines, "\n")
}

func (s *searchView) detailView(w, h int) string {
	ev := s.selected()
	if ev == nil {
		return ""
	}
	lines := []string{styleHeader.Render(fit(fmt.Sprintf("%s:%d  (%s)  id %s", ev.File, ev.Line, ev.Format, ev.ID), w))}
	lines = append(lines, fit("  "+ev.Message, w))
	kv := eventFields(ev, s.opts.Location)
	// two columns of key: value
	colW := w / 2
	for i := 0; i < len(kv); i += 2 {
		l := pad(kv[i], colW)
		if i+1 < len(kv) {
			l += fit(kv[i+1], w-colW)
		}
		lines = append(lines, l)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

func eventFields(ev *schema.Event, loc *time.Location) []string {
	var kv []string
	add := func(k, v string) {
		if v != "" && v != "0" {
			kv = append(kv, k+": "+Sanitize(v))
		}
	}
	add("ts", ev.TS.In(loc).Format(time.RFC3339Nano))
	add("ts_raw", ev.TSRaw)
	add("host", ev.Host)
	add("program", ev.Program)
	add("action", ev.Action)
	add("outcome", ev.Outcome)
	add("user", ev.User)
	add("uid", ev.UID)
	add("src", source(ev))
	add("dst_ip", ev.DstIP)
	add("dst_port", fmt.Sprint(ev.DstPort))
	add("dst_host", ev.DstHost)
	add("method", ev.Method)
	add("key", strings.TrimSpace(ev.KeyType+" "+ev.KeyFP))
	add("pid", fmt.Sprint(ev.PID))
	add("tty", ev.TTY)
	add("command", ev.Command)
	add("forward", ev.Forward)
	add("reason", ev.Reason)
	add("client", ev.Client)
	add("server", ev.Server)
	add("hassh", ev.HASSH)
	add("duration", strings.TrimSuffix(fmt.Sprintf("%.1fs", ev.Duration), "0.0s"))
	add("bytes out/in", strings.Trim(fmt.Sprintf("%d/%d", ev.BytesOut, ev.BytesIn), "0/"))
	add("zeek_uid", ev.ZeekUID)
	add("ses", ev.Ses)
	add("notice", ev.Notice)
	return kv
}

func (s *searchView) histView(w, h int) string {
	if len(s.hist) == 0 {
		return ""
	}
	maxC := 1
	for _, b := range s.hist {
		maxC = max(maxC, b.Count)
	}
	bars := min(len(s.hist), w)
	rows := h - 1
	levels := []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}
	var lines []string
	for r := rows - 1; r >= 0; r-- {
		var line strings.Builder
		for i := 0; i < bars; i++ {
			v := float64(s.hist[i].Count) / float64(maxC) * float64(rows*8)
			cell := int(v) - r*8
			ch := " "
			switch {
			case cell >= 8:
				ch = "█"
			case cell > 0:
				ch = levels[cell]
			}
			if s.focus == 2 && i == s.barSel {
				line.WriteString(styleBarSel.Render(ch))
			} else {
				line.WriteString(styleBar.Render(ch))
			}
		}
		lines = append(lines, line.String())
	}
	first, last := s.hist[0].Start, s.hist[bars-1].Start
	label := fmt.Sprintf("%s … %s, %s per bar (t: pick a bar)", first.In(s.opts.Location).Format("2006-01-02 15:04"), last.In(s.opts.Location).Format("2006-01-02 15:04"), stepName(s.step))
	if s.focus == 2 && s.barSel < len(s.hist) {
		b := s.hist[s.barSel]
		label = fmt.Sprintf("bar %s: %d events (enter narrows to it)", b.Start.In(s.opts.Location).Format("2006-01-02 15:04"), b.Count)
	}
	lines = append(lines, styleDim.Render(fit(label, w)))
	return strings.Join(lines, "\n")
}

func (s *searchView) cardView(w int) string {
	c := s.card
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(s.opts.Location).Format("2006-01-02 15:04")
	}
	counts := func(cs []sessions.Count) string {
		var p []string
		for i, x := range cs {
			if i == 4 {
				p = append(p, fmt.Sprintf("+%d", len(cs)-4))
				break
			}
			p = append(p, fmt.Sprintf("%s×%d", Sanitize(x.Value), x.Count))
		}
		if len(p) == 0 {
			return "-"
		}
		return strings.Join(p, " ")
	}
	lines := []string{
		styleTitle.Render(fit(fmt.Sprintf("%s %s — first %s, last %s, %d events, logons %d ok / %d failed, %d sessions",
			c.Kind, c.Value, when(c.FirstSeen), when(c.LastSeen), c.Events, c.Success, c.Failure, c.SessionsTotal), w)),
		fit("  peers in:  "+counts(c.PeersIn)+"   peers out: "+counts(c.PeersOut), w),
		fit("  methods:   "+counts(c.Methods)+"   keys: "+counts(c.KeyFPs)+"   users: "+counts(c.Users), w),
	}
	return strings.Join(lines, "\n")
}

// sortedKeys is used by views that print maps.
func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func stepName(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}
