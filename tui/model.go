// Package tui is sshtrail's workbench: a Bubble Tea program over an
// index.Store and the detections. It never parses a log line; every slow
// call (search, pivot, detection, import) runs in a tea.Cmd, and every
// string from a log goes through Sanitize before it reaches the screen.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/sessions"
)

// Options are what the workbench works on.
type Options struct {
	Store        *index.Store
	IndexDir     string
	Location     *time.Location // display zone (nil = UTC)
	Detect       detect.Config
	Sessions     sessions.Options
	Saved        saved.File // saved queries file
	InitialQuery string     // "" = "*"
}

// Run opens the workbench full-screen until the user quits. A running
// import has committed what it read when Run returns, so the caller can
// close the store.
func Run(ctx context.Context, opts Options) error {
	m := newModel(ctx, opts)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithContext(ctx))
	_, err := p.Run()
	// A quit the user confirmed comes after the import ended. Otherwise
	// (a forced quit, ctx cancelled by a signal) what was read is committed
	// and the session rebuild is left to the next command (the store's
	// touched record says so).
	_ = m.imp.shutdown()
	return err
}

type tab int

const (
	tabSearch tab = iota
	tabSessions
	tabDetections
	tabPaths
	tabSaved
	tabImport
)

var tabNames = []string{"1 Search", "2 Sessions", "3 Detections", "4 Paths", "5 Saved", "6 Import"}

// Model is the root model: it owns the shared state and composes the views.
type Model struct {
	opts   Options
	ctx    context.Context
	width  int
	height int
	tab    tab
	help   help.Model
	full   bool // full help shown
	status string
	err    string
	total  uint64

	// quitAsk: q was pressed while an import runs; the prompt is up.
	// quitting: the user confirmed; the import stops, then the program quits.
	quitAsk  bool
	quitting bool

	search     *searchView
	sessions   *sessionsView
	detections *detectionsView
	paths      *pathsView
	savedv     *savedView
	imp        *importView
}

// New builds the workbench model.
func New(opts Options) Model { return newModel(context.Background(), opts) }

// newModel builds the model for a program that ends with ctx: its imports
// are cancelled with it.
func newModel(ctx context.Context, opts Options) Model {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.InitialQuery == "" {
		opts.InitialQuery = "*"
	}
	m := Model{opts: opts, ctx: ctx, width: 120, height: 40, help: help.New()}
	m.search = newSearchView(&m.opts)
	m.sessions = newSessionsView(&m.opts)
	m.detections = newDetectionsView(&m.opts)
	m.paths = &pathsView{opts: &m.opts}
	m.savedv = &savedView{opts: &m.opts}
	m.imp = newImportView(ctx, &m.opts)
	return m
}

// Init runs the first search (newest events) and counts the index.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.search.run(m.opts.InitialQuery), m.countCmd())
}

type countMsg struct {
	n   uint64
	err error
}

func (m Model) countCmd() tea.Cmd {
	st := m.opts.Store
	return func() tea.Msg {
		n, err := st.Total(context.Background())
		return countMsg{n, err}
	}
}

// errMsg reports a failure of a background command in the status bar.
type errMsg struct{ err error }

// Update routes messages: global keys here, the rest to the active view.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		return m, nil
	case countMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
		}
		m.total = msg.n
		return m, nil
	case errMsg:
		m.err = msg.err.Error()
		return m, nil
	case importDoneMsg:
		cmd := m.imp.update(msg)
		if m.quitting {
			return m, tea.Quit
		}
		// Every view shows fresh data after an import.
		return m, tea.Batch(cmd, m.countCmd(), m.search.run(m.search.query), m.sessions.load(), m.paths.load())
	case tea.KeyMsg:
		if m.quitAsk || m.quitting {
			return m.quitKey(msg)
		}
		// ctrl+c quits even from a text input, where q is a letter.
		if key.Matches(msg, keys.Quit) && (!m.typing() || msg.Type == tea.KeyCtrlC) {
			if m.imp.running {
				m.quitAsk = true
				return m, nil
			}
			return m, tea.Quit
		}
		if m.typing() {
			break
		}
		switch {
		case key.Matches(msg, keys.Help):
			m.full = !m.full
			return m, nil
		case key.Matches(msg, keys.NextTab):
			return m.switchTab((m.tab + 1) % tab(len(tabNames)))
		case key.Matches(msg, keys.PrevTab):
			return m.switchTab((m.tab + tab(len(tabNames)) - 1) % tab(len(tabNames)))
		case key.Matches(msg, keys.Tab1, keys.Tab2, keys.Tab3, keys.Tab4, keys.Tab5, keys.Tab6):
			return m.switchTab(tab(msg.String()[0] - '1'))
		}
		if m.full && key.Matches(msg, keys.Back) {
			m.full = false
			return m, nil
		}
	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			return m, nil
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			return m.route(tea.KeyMsg{Type: tea.KeyUp})
		case tea.MouseButtonWheelDown:
			return m.route(tea.KeyMsg{Type: tea.KeyDown})
		}
		return m, nil
	case openSessionMsg:
		m.tab = tabSessions
		return m, m.sessions.openSID(msg.sid)
	case runQueryMsg:
		m.tab = tabSearch
		return m, m.search.setQuery(msg.query)
	}
	return m.route(msg)
}

// quitKey answers the quit prompt, and waits out a confirmed quit: the
// import stops, keeps what it read and rebuilds sessions for it, and the
// importDoneMsg quits. Keys are not passed to the views meanwhile.
func (m Model) quitKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.quitting {
		if msg.Type == tea.KeyCtrlC {
			// Forced: Run still waits for the reading to commit; an unfinished
			// session rebuild is recorded and finished by the next command.
			m.imp.abandon()
			return m, tea.Quit
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, keys.Yes), msg.Type == tea.KeyCtrlC:
		m.quitAsk = false
		if !m.imp.running {
			return m, tea.Quit // it finished while the prompt was up
		}
		m.quitting = true
		m.imp.cancel()
	case key.Matches(msg, keys.No, keys.Back):
		m.quitAsk = false
	}
	return m, nil
}

// quitText is the prompt or progress of a quit during an import ("" when
// there is none).
func (m Model) quitText() string {
	switch {
	case m.quitAsk && !m.imp.running:
		return "The import finished. Quit? y/n"
	case m.quitAsk:
		return fmt.Sprintf("An import is running (%d events so far). Quit? It will stop cleanly: what was read is kept and sessions are rebuilt for it. y/n", m.imp.last.Events)
	case m.quitting:
		if t := m.imp.phaseText(); t != "" {
			return t + " then quitting (ctrl+c quits now)"
		}
	}
	return ""
}

// typing reports whether a text input has the keyboard (then q is a letter).
func (m Model) typing() bool {
	switch m.tab {
	case tabSearch:
		return m.search.input.Focused() || m.search.saving
	case tabImport:
		return m.imp.input.Focused()
	}
	return false
}

func (m Model) switchTab(t tab) (tea.Model, tea.Cmd) {
	m.tab = t
	m.err = ""
	switch t {
	case tabSessions:
		if !m.sessions.loaded {
			return m, m.sessions.load()
		}
	case tabDetections:
		if !m.detections.loaded && !m.detections.running {
			return m, m.detections.run()
		}
	case tabPaths:
		if !m.paths.loaded {
			return m, m.paths.load()
		}
	case tabSaved:
		return m, m.savedv.load()
	}
	return m, nil
}

// route hands a message to the view that owns it (results go to their view
// whatever tab is active).
func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg.(type) {
	case searchMsg, aggMsg, pivotMsg:
		cmd = m.search.update(msg)
	case sessionsMsg, sessionDetailMsg:
		cmd = m.sessions.update(msg)
	case findingsMsg, findingDetailMsg:
		cmd = m.detections.update(msg)
	case pathsMsg:
		cmd = m.paths.update(msg)
	case savedMsg:
		cmd = m.savedv.update(msg)
	case importProgressMsg, importPhaseMsg:
		cmd = m.imp.update(msg)
	default:
		switch m.tab {
		case tabSearch:
			cmd = m.search.update(msg)
		case tabSessions:
			cmd = m.sessions.update(msg)
		case tabDetections:
			cmd = m.detections.update(msg)
		case tabPaths:
			cmd = m.paths.update(msg)
		case tabSaved:
			cmd = m.savedv.update(msg)
		case tabImport:
			cmd = m.imp.update(msg)
		}
	}
	return m, cmd
}

// View draws tabs, the active view and the status bar, never wider than the
// terminal.
func (m Model) View() string {
	w, h := max(m.width, 20), max(m.height, 8)
	var tabs []string
	for i, n := range tabNames {
		if tab(i) == m.tab {
			tabs = append(tabs, styleTabActive.Render(n))
		} else {
			tabs = append(tabs, styleTab.Render(n))
		}
	}
	top := clip(lipgloss.JoinHorizontal(lipgloss.Top, tabs...), w)
	status := m.statusLine(w)
	var helpView string
	if m.full {
		helpView = m.help.FullHelpView(keys.FullHelp())
	} else {
		helpView = m.help.ShortHelpView(keys.ShortHelp())
	}
	helpLines := strings.Count(helpView, "\n") + 1
	bodyH := h - 2 - 1 - helpLines
	if bodyH < 3 {
		bodyH = 3
	}
	// The quit prompt goes above the view, wrapped: at 80 columns a status
	// line would cut off its y/n.
	var prompt string
	if q := m.quitText(); q != "" {
		prompt = styleCrumb.Bold(true).Width(w).Render(q)
		bodyH -= strings.Count(prompt, "\n") + 1
		if bodyH < 1 {
			bodyH = 1
		}
	}
	var body string
	switch m.tab {
	case tabSearch:
		body = m.search.view(w, bodyH)
	case tabSessions:
		body = m.sessions.view(w, bodyH)
	case tabDetections:
		body = m.detections.view(w, bodyH)
	case tabPaths:
		body = m.paths.view(w, bodyH)
	case tabSaved:
		body = m.savedv.view(w, bodyH)
	case tabImport:
		body = m.imp.view(w, bodyH)
	}
	body = frame(body, w, bodyH)
	if prompt != "" {
		body = clipLines(prompt, w) + "\n" + body
	}
	return strings.Join([]string{top, body, status, clipLines(helpView, w)}, "\n")
}

func (m Model) statusLine(w int) string {
	q := m.search.query
	if q == "" {
		q = "*"
	}
	s := fmt.Sprintf("index %s · %d events · query %s · %s", m.opts.IndexDir, m.total, q, m.opts.Location)
	if m.err != "" {
		return clip(styleError.Render(fit("error: "+m.err, w)), w)
	}
	for _, v := range []string{m.search.err, m.sessions.err, m.detections.err, m.paths.err, m.savedv.err, m.imp.err} {
		if v != "" {
			return clip(styleError.Render(fit("error: "+v, w)), w)
		}
	}
	return styleStatus.Render(fit(s, w))
}

// clip cuts a rendered line to w cells (ANSI aware).
func clip(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}

func clipLines(s string, w int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clip(l, w)
	}
	return strings.Join(lines, "\n")
}

// frame makes body exactly h lines of at most w cells.
func frame(body string, w, h int) string {
	lines := strings.Split(body, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = clip(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// list is a cursor over n rows with scrolling.
type list struct {
	cursor, offset int
}

func (l *list) move(d, n int) {
	l.cursor += d
	if l.cursor >= n {
		l.cursor = n - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
}

// window returns the rows [from, to) to draw in h lines.
func (l *list) window(n, h int) (int, int) {
	if h < 1 {
		h = 1
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	if l.offset > max(0, n-h) {
		l.offset = max(0, n-h)
	}
	return l.offset, min(n, l.offset+h)
}

// keyList handles the list keys; it reports whether the key was one.
func (l *list) keyList(msg tea.KeyMsg, n, page int) bool {
	switch {
	case key.Matches(msg, keys.Up):
		l.move(-1, n)
	case key.Matches(msg, keys.Down):
		l.move(1, n)
	case key.Matches(msg, keys.PageUp):
		l.move(-page, n)
	case key.Matches(msg, keys.PageDown):
		l.move(page, n)
	case key.Matches(msg, keys.Top):
		l.cursor = 0
	case key.Matches(msg, keys.Bottom):
		l.cursor = max(0, n-1)
	default:
		return false
	}
	return true
}

type openSessionMsg struct{ sid string }
type runQueryMsg struct{ query string }
