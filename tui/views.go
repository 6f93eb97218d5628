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
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

func lipglossWidth(s string) int { return lipgloss.Width(s) }

// ---------------------------------------------------------------- sessions

type sessionsMsg struct {
	list []schema.Session
	err  error
}

type sessionDetailMsg struct {
	s      schema.Session
	events []*schema.Event
	hops   []schema.Session
	err    error
}

type sessionsView struct {
	opts    *Options
	loaded  bool
	err     string
	list    []schema.Session
	rows    list
	detail  *sessionDetailMsg
	detRows list
}

func newSessionsView(opts *Options) *sessionsView { return &sessionsView{opts: opts} }

func (v *sessionsView) load() tea.Cmd {
	st := v.opts.Store
	return func() tea.Msg {
		res, err := st.SearchSessions(context.Background(), index.Query{}, index.Page{Size: 2000})
		if err != nil {
			return sessionsMsg{err: err}
		}
		return sessionsMsg{list: res.Sessions}
	}
}

func (v *sessionsView) openSID(sid string) tea.Cmd {
	st := v.opts.Store
	return func() tea.Msg {
		res, err := st.SearchSessions(context.Background(), index.Query{Q: quoteValue("sid", sid)}, index.Page{Size: 1})
		if err != nil || len(res.Sessions) == 0 {
			return sessionDetailMsg{err: fmt.Errorf("session %s not found", sid)}
		}
		return loadSession(st, res.Sessions[0])
	}
}

func loadSession(st *index.Store, s schema.Session) sessionDetailMsg {
	ctx := context.Background()
	evs, err := st.Get(ctx, s.Events)
	if err != nil {
		return sessionDetailMsg{err: err}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS.Before(evs[j].TS) })
	hops, err := st.SearchSessions(ctx, index.Query{Q: quoteValue("parent", s.SID)}, index.Page{Size: 100, Oldest: true})
	if err != nil {
		return sessionDetailMsg{err: err}
	}
	return sessionDetailMsg{s: s, events: evs, hops: hops.Sessions}
}

func (v *sessionsView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case sessionsMsg:
		v.loaded = true
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.err = ""
		v.list = msg.list
		return nil
	case sessionDetailMsg:
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.err = ""
		v.detail = &msg
		v.detRows = list{}
		return nil
	case tea.KeyMsg:
		if v.detail != nil {
			n := len(v.detail.events) + len(v.detail.hops)
			switch {
			case key.Matches(msg, keys.Back):
				v.detail = nil
			case key.Matches(msg, keys.Open):
				if i := v.detRows.cursor - len(v.detail.events); i >= 0 && i < len(v.detail.hops) {
					st, h := v.opts.Store, v.detail.hops[i]
					return func() tea.Msg { return loadSession(st, h) }
				}
			default:
				v.detRows.keyList(msg, n, 10)
			}
			return nil
		}
		if v.rows.keyList(msg, len(v.list), 10) {
			return nil
		}
		if key.Matches(msg, keys.Open) && v.rows.cursor < len(v.list) {
			st, s := v.opts.Store, v.list[v.rows.cursor]
			return func() tea.Msg { return loadSession(st, s) }
		}
		if key.Matches(msg, keys.Rerun) {
			return v.load()
		}
	}
	return nil
}

func sessionLine(s *schema.Session, loc *time.Location, w int) string {
	end := "open"
	if !s.End.IsZero() {
		end = s.End.In(loc).Format("15:04:05")
	}
	src := s.SrcIP
	if s.SrcPort != 0 {
		src = fmt.Sprintf("%s:%d", s.SrcIP, s.SrcPort)
	}
	line := fmt.Sprintf("%s %s %s %s %s %s %s %2d %s",
		s.Start.In(loc).Format("2006-01-02 15:04:05"), pad(end, 8), pad(s.Host, 12), pad(s.User, 10), pad(src, 21),
		pad(s.Method, 9), pad(s.Outcome, 7), s.Failures, Sanitize(strings.Join(s.Sources, ",")))
	return fit(line, w)
}

func (v *sessionsView) view(w, h int) string {
	if v.detail != nil {
		return v.detailView(w, h)
	}
	if !v.loaded {
		return styleDim.Render("loading sessions…")
	}
	hdr := styleHeader.Render(fit(fmt.Sprintf("%-19s %-8s %-12s %-10s %-21s %-9s %-7s %2s %s", "START", "END", "HOST", "USER", "SOURCE", "METHOD", "OUTCOME", "F", "SOURCES"), w))
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d sessions (newest first) — enter opens one, r reloads", len(v.list)), w)), hdr}
	from, to := v.rows.window(len(v.list), h-2)
	for i := from; i < to; i++ {
		l := sessionLine(&v.list[i], v.opts.Location, w)
		if i == v.rows.cursor {
			l = styleSelected.Render(pad(l, w))
		} else if v.list[i].Outcome == schema.OutcomeFailure {
			l = styleFailure.Render(l)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func (v *sessionsView) detailView(w, h int) string {
	d := v.detail
	s := d.s
	loc := v.opts.Location
	end := "still open"
	if !s.End.IsZero() {
		end = s.End.In(loc).Format("2006-01-02 15:04:05")
	}
	lines := []string{
		styleTitle.Render(fit(fmt.Sprintf("session %s: %s@%s from %s — %s → %s, %s, %s", s.SID, s.User, s.Host, s.SrcIP, s.Start.In(loc).Format("2006-01-02 15:04:05"), end, s.Method, s.Outcome), w)),
		fit(fmt.Sprintf("  seen in %s · %d failed attempts before · key %s · parent %s   (esc: back)", strings.Join(s.Sources, ", "), s.Failures, s.KeyFP, s.Parent), w),
	}
	if len(s.Commands) > 0 {
		lines = append(lines, fit("  commands: "+strings.Join(s.Commands, " ; "), w))
	}
	var rows []string
	for _, ev := range d.events {
		rows = append(rows, fit(fmt.Sprintf("%s [%-11s] %-14s %s", ev.TS.In(loc).Format("15:04:05.000"), ev.Format, ev.Action, Sanitize(ev.Message)), w))
	}
	for _, hp := range d.hops {
		rows = append(rows, fit("→ hop: "+sessionLine(&hp, loc, w-7), w))
	}
	lines = append(lines, styleHeader.Render(fit(fmt.Sprintf("%d events from every source, %d hops out (enter on a hop opens it)", len(d.events), len(d.hops)), w)))
	from, to := v.detRows.window(len(rows), h-len(lines))
	for i := from; i < to; i++ {
		l := rows[i]
		if i == v.detRows.cursor {
			l = styleSelected.Render(pad(l, w))
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// ---------------------------------------------------------------- detections

type findingsMsg struct {
	list []detect.Finding
	took time.Duration
	err  error
}

type findingDetailMsg struct {
	f      detect.Finding
	events []*schema.Event
	err    error
}

type detectionsView struct {
	opts    *Options
	loaded  bool
	running bool
	err     string
	list    []detect.Finding
	took    time.Duration
	rows    list
	detail  *findingDetailMsg
	detRows list
}

func newDetectionsView(opts *Options) *detectionsView { return &detectionsView{opts: opts} }

func (v *detectionsView) run() tea.Cmd {
	v.running = true
	st, cfg := v.opts.Store, v.opts.Detect
	return func() tea.Msg {
		t := time.Now()
		fs, err := detect.Run(context.Background(), st, cfg, nil, time.Time{})
		return findingsMsg{list: fs, took: time.Since(t), err: err}
	}
}

func (v *detectionsView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case findingsMsg:
		v.running, v.loaded = false, true
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.err = ""
		v.list, v.took = msg.list, msg.took
		return nil
	case findingDetailMsg:
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.detail = &msg
		v.detRows = list{}
		return nil
	case tea.KeyMsg:
		if v.detail != nil {
			switch {
			case key.Matches(msg, keys.Back):
				v.detail = nil
			case key.Matches(msg, keys.Open):
				// Open the session of the selected evidence event.
				if v.detRows.cursor < len(v.detail.events) {
					id := v.detail.events[v.detRows.cursor].ID
					st := v.opts.Store
					return func() tea.Msg {
						res, err := st.SearchSessions(context.Background(), index.Query{Q: "events:" + id}, index.Page{Size: 1})
						if err != nil || len(res.Sessions) == 0 {
							return errMsg{fmt.Errorf("no session holds this event")}
						}
						return openSessionMsg{sid: res.Sessions[0].SID}
					}
				}
			default:
				v.detRows.keyList(msg, len(v.detail.events), 10)
			}
			return nil
		}
		if key.Matches(msg, keys.Rerun) && !v.running {
			return v.run()
		}
		if v.rows.keyList(msg, len(v.list), 10) {
			return nil
		}
		if key.Matches(msg, keys.Open) && v.rows.cursor < len(v.list) {
			f, st := v.list[v.rows.cursor], v.opts.Store
			return func() tea.Msg {
				evs, err := st.Get(context.Background(), f.Events)
				sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS.Before(evs[j].TS) })
				return findingDetailMsg{f: f, events: evs, err: err}
			}
		}
	}
	return nil
}

func (v *detectionsView) view(w, h int) string {
	if v.detail != nil {
		f := v.detail.f
		lines := []string{
			severityStyle[string(f.Severity)].Render(fit(fmt.Sprintf("%s  %s — %s (%s)", strings.ToUpper(string(f.Severity)), f.Rule, f.Title, f.Technique), w)),
			fit("  "+f.Summary, w),
			fit(fmt.Sprintf("  host %s · user %s · source %s · dest %s · sessions %s   (esc: back, enter: open the event's session)", f.Host, f.User, f.SrcIP, f.DstIP, strings.Join(f.SIDs, " ")), w),
			styleHeader.Render(fit(fmt.Sprintf("evidence: %d events", len(v.detail.events)), w)),
		}
		from, to := v.detRows.window(len(v.detail.events), h-len(lines))
		for i := from; i < to; i++ {
			ev := v.detail.events[i]
			l := fit(fmt.Sprintf("%s %-10s [%-11s] %-14s %s", ev.TS.In(v.opts.Location).Format("2006-01-02 15:04:05"), Sanitize(ev.Host), ev.Format, ev.Action, Sanitize(ev.Message)), w)
			if i == v.detRows.cursor {
				l = styleSelected.Render(pad(l, w))
			}
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n")
	}
	if v.running {
		return styleDim.Render("running the detections…")
	}
	if !v.loaded {
		return styleDim.Render("press r to run the detections")
	}
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d findings in %s, most severe first — enter opens one, r runs again", len(v.list), v.took.Round(time.Millisecond)), w))}
	from, to := v.rows.window(len(v.list), h-1)
	for i := from; i < to; i++ {
		f := v.list[i]
		l := fmt.Sprintf("%-8s %s %-36s %s", strings.ToUpper(string(f.Severity)), f.TS.In(v.opts.Location).Format("2006-01-02 15:04"), f.Rule, Sanitize(f.Summary))
		if i == v.rows.cursor {
			l = styleSelected.Render(pad(l, w))
		} else {
			l = severityStyle[string(f.Severity)].Render(fit(l, w))
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// ---------------------------------------------------------------- paths

type pathsMsg struct {
	paths []sessions.Path
	err   error
}

type pathsView struct {
	opts   *Options
	loaded bool
	err    string
	paths  []sessions.Path
	rows   list
}

// pathRow is one hop line of the tree.
type pathRow struct {
	text string
	sid  string
}

func (v *pathsView) load() tea.Cmd {
	st := v.opts.Store
	return func() tea.Msg {
		ps, err := sessions.AllPaths(context.Background(), st, 1)
		return pathsMsg{ps, err}
	}
}

func (v *pathsView) rowsOf() []pathRow {
	var rows []pathRow
	loc := v.opts.Location
	// Longest chains first: they are what an intruder leaves.
	ps := append([]sessions.Path(nil), v.paths...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Hops > ps[j].Hops })
	for _, p := range ps {
		rows = append(rows, pathRow{text: fmt.Sprintf("%s  (%d hops)", Sanitize(p.Origin), p.Hops)})
		for i, s := range p.Sessions {
			user := s.User
			if user == "" {
				user = "?"
			}
			rows = append(rows, pathRow{
				text: fmt.Sprintf("%s└─ %s@%s  %s  %s", strings.Repeat("   ", i), Sanitize(user), Sanitize(s.Host), s.Start.In(loc).Format("2006-01-02 15:04:05"), strings.Join(s.Sources, ",")),
				sid:  s.SID,
			})
		}
	}
	return rows
}

func (v *pathsView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pathsMsg:
		v.loaded = true
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.err = ""
		v.paths = msg.paths
	case tea.KeyMsg:
		rows := v.rowsOf()
		if v.rows.keyList(msg, len(rows), 10) {
			return nil
		}
		if key.Matches(msg, keys.Open) && v.rows.cursor < len(rows) && rows[v.rows.cursor].sid != "" {
			sid := rows[v.rows.cursor].sid
			return func() tea.Msg { return openSessionMsg{sid: sid} }
		}
		if key.Matches(msg, keys.Rerun) {
			return v.load()
		}
	}
	return nil
}

func (v *pathsView) view(w, h int) string {
	if !v.loaded {
		return styleDim.Render("loading paths…")
	}
	rows := v.rowsOf()
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d lateral-movement paths (longest first) — enter on a hop opens its session", len(v.paths)), w))}
	from, to := v.rows.window(len(rows), h-1)
	for i := from; i < to; i++ {
		l := fit(rows[i].text, w)
		if i == v.rows.cursor {
			l = styleSelected.Render(pad(l, w))
		} else if rows[i].sid == "" {
			l = styleTitle.Render(l)
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// ---------------------------------------------------------------- saved queries

type savedMsg struct {
	list []saved.Query
	note string
	err  error
}

type savedView struct {
	opts *Options
	err  string
	note string
	list []saved.Query
	rows list
}

func (v *savedView) load() tea.Cmd {
	f := v.opts.Saved
	return func() tea.Msg {
		qs, err := f.List()
		return savedMsg{list: qs, err: err}
	}
}

func (v *savedView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.err = ""
		if msg.note != "" {
			v.note = msg.note
			return v.load()
		}
		v.list = msg.list
	case tea.KeyMsg:
		if v.rows.keyList(msg, len(v.list), 10) {
			return nil
		}
		if v.rows.cursor >= len(v.list) {
			return nil
		}
		q := v.list[v.rows.cursor]
		switch {
		case key.Matches(msg, keys.Open):
			if q.Target != "" && q.Target != saved.TargetEvents {
				v.err = "only event queries run in the Search view (use sshtrail queries run for " + q.Target + ")"
				return nil
			}
			return func() tea.Msg { return runQueryMsg{query: q.Query} }
		case key.Matches(msg, keys.Delete):
			f := v.opts.Saved
			return func() tea.Msg {
				if err := f.Delete(q.Name); err != nil {
					return savedMsg{err: err}
				}
				return savedMsg{note: "deleted " + q.Name}
			}
		}
	}
	return nil
}

func (v *savedView) view(w, h int) string {
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d saved queries in %s — enter runs, d deletes, s in Search saves the current query", len(v.list), v.opts.Saved.Path), w))}
	if v.note != "" {
		lines = append(lines, styleSuccess.Render(fit(v.note, w)))
	}
	from, to := v.rows.window(len(v.list), h-len(lines))
	for i := from; i < to; i++ {
		q := v.list[i]
		last := "never run"
		if !q.LastRun.IsZero() {
			last = fmt.Sprintf("last run %s: %d hits", q.LastRun.In(v.opts.Location).Format("2006-01-02 15:04"), q.LastCount)
		}
		l := fit(fmt.Sprintf("%-20s %-8s %-32s %s  %s", Sanitize(q.Name), q.Target, last, Sanitize(q.Query), Sanitize(q.Description)), w)
		if i == v.rows.cursor {
			l = styleSelected.Render(pad(l, w))
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// ---------------------------------------------------------------- import

type importProgressMsg struct {
	p  ingest.Progress
	ch chan tea.Msg
}

// importPhaseMsg says the import moved on to its next step.
type importPhaseMsg struct {
	phase importPhase
	ch    chan tea.Msg
}

type importDoneMsg struct {
	sum *ingest.Summary
	err error
	// stopped: the import was cancelled and kept what it had read.
	stopped bool
	// unbuilt: the session rebuild was abandoned (forced quit); the store's
	// touched record makes the next command finish it.
	unbuilt bool
}

type importPhase int

const (
	phaseReading    importPhase = iota
	phaseStopping               // cancel requested, ingest.Run still committing
	phaseRebuilding             // sessions.Finish over what was stored
)

type importView struct {
	opts    *Options
	ctx     context.Context // the program's: an import never outlives it
	input   textinput.Model
	bar     progress.Model
	running bool
	phase   importPhase
	stop    context.CancelFunc // ends the reading; what was read is committed
	abandon context.CancelFunc // ends the session rebuild too (forced quit)
	read    chan struct{}      // closed once ingest.Run returned: the reading is committed
	done    chan struct{}      // closed once the import goroutine returned
	last    ingest.Progress
	sum     *ingest.Summary
	stopped bool
	unbuilt bool
	err     string
}

func newImportView(ctx context.Context, opts *Options) *importView {
	in := textinput.New()
	in.Prompt = "path> "
	in.Placeholder = "file, folder or glob to import (enter starts)"
	in.Focus()
	return &importView{opts: opts, ctx: ctx, input: in, bar: progress.New(progress.WithDefaultGradient())}
}

// importSlack keeps room in the message channel for the phase and done
// messages: only the import goroutine sends, and progress ticks are dropped
// once fewer free slots are left, so no send ever blocks. A blocked send
// would keep the goroutine (and the store's writer) alive after the UI quit.
const importSlack = 2

// start runs the import in the background; progress arrives on a channel
// that a Cmd reads one message at a time.
func (v *importView) start(path string) tea.Cmd {
	v.running, v.phase, v.sum, v.err, v.stopped, v.unbuilt = true, phaseReading, nil, "", false, false
	v.last = ingest.Progress{}
	ch := make(chan tea.Msg, 16)
	st, so := v.opts.Store, v.opts.Sessions
	loc := v.opts.Location
	readCtx, stop := context.WithCancel(v.ctx)
	// The rebuild must survive the quit that stopped the reading: sessions
	// then match what was stored. Only a forced quit (abandon) ends it.
	buildCtx, abandon := context.WithCancel(context.WithoutCancel(v.ctx))
	read, done := make(chan struct{}), make(chan struct{})
	v.stop, v.abandon, v.read, v.done = stop, abandon, read, done
	go func() {
		defer close(done)
		defer abandon()
		defer stop()
		// The one import operation the CLI and the demo run too (ingest,
		// compaction policy, sessions of the touched hosts); its session
		// step runs under buildCtx, so a stopped reading still gets them.
		var readOnce sync.Once
		endRead := func() { readOnce.Do(func() { close(read) }) }
		sum, err := intake.Run(readCtx, st, []string{path}, intake.Options{
			Ingest: ingest.Options{
				Progress: func(p ingest.Progress) {
					if len(ch) < cap(ch)-importSlack {
						ch <- importProgressMsg{p: p, ch: ch}
					}
				},
				Options: importersOptions(loc),
			},
			Sessions: so,
			Finish:   buildCtx,
			Phase: func(name string) {
				if name == "ingest" {
					return
				}
				endRead()
				if name == "sessions-scan" {
					ch <- importPhaseMsg{phase: phaseRebuilding, ch: ch}
				}
			},
		})
		endRead()
		msg := importDoneMsg{sum: sum, err: err}
		switch {
		case err == nil:
		case buildCtx.Err() != nil && errors.Is(err, context.Canceled):
			msg.err, msg.unbuilt, msg.stopped = nil, true, readCtx.Err() != nil
		case sum != nil && readCtx.Err() != nil && errors.Is(err, readCtx.Err()):
			msg.err, msg.stopped = nil, true
		}
		ch <- msg
		close(ch)
	}()
	return waitImport(ch)
}

// cancel stops the reading of a running import: ingest.Run commits what it
// read and the sessions are rebuilt for it.
func (v *importView) cancel() {
	if v.running && v.stop != nil {
		v.stop()
		if v.phase == phaseReading {
			v.phase = phaseStopping
		}
	}
}

// abandonWait bounds how long shutdown waits for an abandoned session
// rebuild to notice. The rebuild is a recorded step (the next command
// finishes it), so leaving it is safe; a quit that hangs is not.
const abandonWait = 5 * time.Second

// shutdown ends a running import at once and returns when the store can be
// closed: always after ingest.Run committed what it read, and after the
// abandoned session rebuild returned, or abandonWait passed. It reports
// whether the import goroutine had finished.
func (v *importView) shutdown() bool {
	if v.done == nil {
		return true
	}
	v.stop()
	v.abandon()
	<-v.read
	select {
	case <-v.done:
		return true
	case <-time.After(abandonWait):
		return false
	}
}

func waitImport(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

func (v *importView) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case importProgressMsg:
		v.last = msg.p
		return waitImport(msg.ch)
	case importPhaseMsg:
		v.phase = msg.phase
		return waitImport(msg.ch)
	case importDoneMsg:
		v.running = false
		v.stopped, v.unbuilt = msg.stopped, msg.unbuilt
		if msg.err != nil {
			v.err = msg.err.Error()
			return nil
		}
		v.sum = msg.sum
		return nil
	case tea.KeyMsg:
		if !v.input.Focused() {
			if msg.String() == "enter" || msg.String() == "/" {
				v.input.Focus()
				return textinput.Blink
			}
			return nil
		}
		switch msg.Type {
		case tea.KeyEnter:
			p := strings.TrimSpace(v.input.Value())
			if p == "" || v.running {
				return nil
			}
			v.input.Blur()
			return v.start(p)
		case tea.KeyEsc:
			v.input.Blur()
			return nil
		}
		var cmd tea.Cmd
		v.input, cmd = v.input.Update(msg)
		return cmd
	}
	return nil
}

func (v *importView) view(w, h int) string {
	lines := []string{v.input.View(), ""}
	if v.running {
		frac := 0.0
		if v.last.BytesTotal > 0 {
			frac = float64(v.last.BytesDone) / float64(v.last.BytesTotal)
		}
		v.bar.Width = max(10, min(60, w-10))
		lines = append(lines, v.bar.ViewAs(frac), fit(fmt.Sprintf("files %d/%d · events %d · %s", v.last.FilesDone, v.last.FilesTotal, v.last.Events, Sanitize(v.last.File)), w))
		if p := v.phaseText(); p != "" {
			lines = append(lines, styleCrumb.Render(fit(p, w)))
		}
	}
	if s := v.sum; s != nil {
		verb := "imported"
		if v.stopped {
			verb = "stopped after"
		}
		lines = append(lines, styleSuccess.Render(fit(fmt.Sprintf("%s %d files: %d events read, %d added, %d already present, %d ignored, %d malformed in %.1fs",
			verb, s.Files, s.Events, s.Added, s.Present, s.Ignored, s.Malformed, s.Seconds), w)))
		if v.unbuilt {
			lines = append(lines, styleFailure.Render(fit("  sessions not rebuilt: the next command that opens the index rebuilds them", w)))
		}
		for _, k := range sortedKeys(s.Formats) {
			lines = append(lines, fit(fmt.Sprintf("  %-12s %d", k, s.Formats[k]), w))
		}
		for _, e := range s.FileErrors {
			lines = append(lines, styleFailure.Render(fit("  "+e, w)))
		}
		for _, a := range s.Assumed {
			lines = append(lines, styleDim.Render(fit("  assumed "+a, w)))
		}
		lines = append(lines, styleDim.Render("the other views now show the new data"))
	}
	return strings.Join(lines, "\n")
}

// phaseText names what a running import does once it left the reading.
func (v *importView) phaseText() string {
	switch v.phase {
	case phaseStopping:
		return fmt.Sprintf("stopping import… (%d events so far; what was read is kept)", v.last.Events)
	case phaseRebuilding:
		return "rebuilding sessions…"
	}
	return ""
}
