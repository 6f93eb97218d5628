package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// pathsView is the Paths tab: lateral-movement chains (A → B → C), longest
// first; enter on a hop opens its session.
type pathsView struct {
	base
	loaded bool
	paths  []sessions.Path
	rows   list
}

type pathsMsg struct {
	paths []sessions.Path
	err   error
}

// pathRow is one line of the tree: a path's origin, or one of its hops.
type pathRow struct {
	text string
	sid  string // "" on an origin line
}

var pathKeys = struct{ Open, Reload key.Binding }{withHelp(keys.Open, "open the hop's session"), withHelp(keys.Rerun, "reload")}

func newPathsView(e *env) *pathsView { return &pathsView{base: base{env: e}} }

func (v *pathsView) Title() string { return "Paths" }

func (v *pathsView) Show() tea.Cmd {
	if !v.loaded {
		return v.load()
	}
	return nil
}

func (v *pathsView) ShortHelp() []key.Binding { return []key.Binding{pathKeys.Open, pathKeys.Reload} }

func (v *pathsView) FullHelp() [][]key.Binding { return listHelp(v.ShortHelp()...) }

func (v *pathsView) load() tea.Cmd {
	ctx, h := v.env.ctx, v.env.store
	return func() tea.Msg {
		ps, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) ([]sessions.Path, error) {
			return sessions.AllPaths(ctx, st, 1)
		})
		return pathsMsg{ps, err}
	}
}

func (v *pathsView) rowsOf() []pathRow {
	var rows []pathRow
	loc := v.env.opts.Location
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

func (v *pathsView) Update(msg tea.Msg) (view, tea.Cmd) {
	switch msg := msg.(type) {
	case pathsMsg:
		v.loaded = true
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.err = ""
		v.paths = msg.paths
	case refreshMsg:
		return v, v.load()
	case tea.KeyMsg:
		rows := v.rowsOf()
		if v.rows.keyList(msg, len(rows), 10) {
			return v, nil
		}
		if key.Matches(msg, keys.Open) && v.rows.cursor < len(rows) && rows[v.rows.cursor].sid != "" {
			sid := rows[v.rows.cursor].sid
			return v, func() tea.Msg { return openSessionMsg{sid: sid} }
		}
		if key.Matches(msg, keys.Rerun) {
			return v, v.load()
		}
	}
	return v, nil
}

func (v *pathsView) View(w, h int) string {
	if !v.loaded {
		return styleDim.Render("loading paths…")
	}
	rows := v.rowsOf()
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d lateral-movement paths (longest first) — enter on a hop opens its session", len(v.paths)), w))}
	lines = append(lines, v.rows.render(len(rows), w, h-1, true, func(i int) (string, lipgloss.Style) {
		if rows[i].sid == "" {
			return fit(rows[i].text, w), styleTitle
		}
		return fit(rows[i].text, w), lipgloss.Style{}
	})...)
	return strings.Join(lines, "\n")
}
