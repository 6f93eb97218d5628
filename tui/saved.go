package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/saved"
)

// savedView is the Saved tab: the saved queries; enter runs one in the
// Search view, d deletes it. The Search view's s saves one.
type savedView struct {
	base
	note string
	list []saved.Query
	rows list
}

// savedMsg is the saved queries read, or a note that one was saved or
// deleted (the list is then read again).
type savedMsg struct {
	list []saved.Query
	note string
	err  error
}

var savedKeys = struct{ Run key.Binding }{withHelp(keys.Open, "run in Search")}

func newSavedView(e *env) *savedView { return &savedView{base: base{env: e}} }

func (v *savedView) Title() string { return "Saved" }

// Show reads the file again: the CLI may have changed it.
func (v *savedView) Show() tea.Cmd { return v.load() }

func (v *savedView) ShortHelp() []key.Binding { return []key.Binding{savedKeys.Run, keys.Delete} }

func (v *savedView) FullHelp() [][]key.Binding { return listHelp(v.ShortHelp()...) }

func (v *savedView) load() tea.Cmd {
	f := v.env.opts.Saved
	return func() tea.Msg {
		qs, err := f.List()
		return savedMsg{list: qs, err: err}
	}
}

func (v *savedView) Update(msg tea.Msg) (view, tea.Cmd) {
	switch msg := msg.(type) {
	case savedMsg:
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.err = ""
		if msg.note != "" {
			v.note = msg.note
			return v, v.load()
		}
		v.list = msg.list
	case tea.KeyMsg:
		if v.rows.keyList(msg, len(v.list), 10) {
			return v, nil
		}
		if v.rows.cursor >= len(v.list) {
			return v, nil
		}
		q := v.list[v.rows.cursor]
		switch {
		case key.Matches(msg, keys.Open):
			if q.Target != "" && q.Target != saved.TargetEvents {
				v.err = "only event queries run in the Search view (use sshtrail queries run for " + q.Target + ")"
				return v, nil
			}
			return v, func() tea.Msg { return runQueryMsg{query: q.Query} }
		case key.Matches(msg, keys.Delete):
			f := v.env.opts.Saved
			return v, func() tea.Msg {
				if err := f.Delete(q.Name); err != nil {
					return savedMsg{err: err}
				}
				return savedMsg{note: "deleted " + q.Name}
			}
		}
	}
	return v, nil
}

func (v *savedView) View(w, h int) string {
	loc := v.env.opts.Location
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d saved queries in %s — enter runs, d deletes, s in Search saves the current query", len(v.list), v.env.opts.Saved.Path), w))}
	if v.note != "" {
		lines = append(lines, styleSuccess.Render(fit(v.note, w)))
	}
	lines = append(lines, v.rows.render(len(v.list), w, h-len(lines), true, func(i int) (string, lipgloss.Style) {
		q := v.list[i]
		last := "never run"
		if !q.LastRun.IsZero() {
			last = fmt.Sprintf("last run %s: %d hits", q.LastRun.In(loc).Format("2006-01-02 15:04"), q.LastCount)
		}
		return fit(fmt.Sprintf("%-20s %-8s %-32s %s  %s", Sanitize(q.Name), q.Target, last, Sanitize(q.Query), Sanitize(q.Description)), w), lipgloss.Style{}
	})...)
	return strings.Join(lines, "\n")
}
