package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// sessionsView is the Sessions tab: the stored sessions, newest first, and
// one session opened with its events from every source and its hops.
type sessionsView struct {
	base
	loaded  bool
	list    []schema.Session
	rows    list
	detail  *sessionDetailMsg
	detRows list
}

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

// maxSessions is how many sessions the list loads.
const maxSessions = 2000

var sessionKeys = struct{ Reload key.Binding }{withHelp(keys.Rerun, "reload")}

func newSessionsView(e *env) *sessionsView { return &sessionsView{base: base{env: e}} }

func (v *sessionsView) Title() string { return "Sessions" }

func (v *sessionsView) Show() tea.Cmd {
	if !v.loaded {
		return v.load()
	}
	return nil
}

func (v *sessionsView) ShortHelp() []key.Binding {
	return []key.Binding{keys.Open, keys.Back, sessionKeys.Reload}
}

func (v *sessionsView) FullHelp() [][]key.Binding { return listHelp(v.ShortHelp()...) }

func (v *sessionsView) load() tea.Cmd {
	ctx, h := v.env.ctx, v.env.store
	return func() tea.Msg {
		res, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) (*index.SessionResult, error) {
			return st.SearchSessions(ctx, index.Query{}, index.Page{Size: maxSessions})
		})
		if err != nil {
			return sessionsMsg{err: err}
		}
		return sessionsMsg{list: res.Sessions}
	}
}

// openSID opens the session sid.
func (v *sessionsView) openSID(sid string) tea.Cmd {
	e := v.env
	return func() tea.Msg {
		s, ok, err := e.sessions.Session(e.ctx, sid)
		if err != nil || !ok {
			return sessionDetailMsg{err: fmt.Errorf("session %s not found", sid)}
		}
		return loadSession(e, s)
	}
}

func (v *sessionsView) open(s schema.Session) tea.Cmd {
	e := v.env
	return func() tea.Msg { return loadSession(e, s) }
}

// loadSession reads a session's events, oldest first, and its hops.
func loadSession(e *env, s schema.Session) sessionDetailMsg {
	evs, err := withStore(e.store, e.ctx, func(ctx context.Context, st *index.Store) ([]*schema.Event, error) { return st.Get(ctx, s.Events) })
	if err != nil {
		return sessionDetailMsg{err: err}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS.Before(evs[j].TS) })
	hops, err := e.sessions.Hops(e.ctx, s.SID)
	if err != nil {
		return sessionDetailMsg{err: err}
	}
	return sessionDetailMsg{s: s, events: evs, hops: hops}
}

func (v *sessionsView) Update(msg tea.Msg) (view, tea.Cmd) {
	switch msg := msg.(type) {
	case sessionsMsg:
		v.loaded = true
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.err = ""
		v.list = msg.list
	case sessionDetailMsg:
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.err = ""
		v.detail = &msg
		v.detRows = list{}
	case openSessionMsg:
		return v, tea.Batch(show(v), v.openSID(msg.sid))
	case refreshMsg:
		return v, v.load()
	case tea.KeyMsg:
		if v.detail != nil {
			return v, v.keyDetail(msg)
		}
		if v.rows.keyList(msg, len(v.list), 10) {
			return v, nil
		}
		if key.Matches(msg, keys.Open) && v.rows.cursor < len(v.list) {
			return v, v.open(v.list[v.rows.cursor])
		}
		if key.Matches(msg, sessionKeys.Reload) {
			return v, v.load()
		}
	}
	return v, nil
}

func (v *sessionsView) keyDetail(msg tea.KeyMsg) tea.Cmd {
	d := v.detail
	switch {
	case key.Matches(msg, keys.Back):
		v.detail = nil
	case key.Matches(msg, keys.Open):
		if i := v.detRows.cursor - len(d.events); i >= 0 && i < len(d.hops) {
			return v.open(d.hops[i])
		}
	default:
		v.detRows.keyList(msg, len(d.events)+len(d.hops), 10)
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

func (v *sessionsView) View(w, h int) string {
	if v.detail != nil {
		return v.detailView(w, h)
	}
	if !v.loaded {
		return styleDim.Render("loading sessions…")
	}
	loc := v.env.opts.Location
	hdr := styleHeader.Render(fit(fmt.Sprintf("%-19s %-8s %-12s %-10s %-21s %-9s %-7s %2s %s", "START", "END", "HOST", "USER", "SOURCE", "METHOD", "OUTCOME", "F", "SOURCES"), w))
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d sessions (newest first) — enter opens one, r reloads", len(v.list)), w)), hdr}
	lines = append(lines, v.rows.render(len(v.list), w, h-2, true, func(i int) (string, lipgloss.Style) {
		if v.list[i].Outcome == schema.OutcomeFailure {
			return sessionLine(&v.list[i], loc, w), styleFailure
		}
		return sessionLine(&v.list[i], loc, w), lipgloss.Style{}
	})...)
	return strings.Join(lines, "\n")
}

func (v *sessionsView) detailView(w, h int) string {
	d := v.detail
	s := d.s
	loc := v.env.opts.Location
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
	lines = append(lines, v.detRows.render(len(rows), w, h-len(lines), true, func(i int) (string, lipgloss.Style) {
		return rows[i], lipgloss.Style{}
	})...)
	return strings.Join(lines, "\n")
}
