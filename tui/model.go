// Package tui is sshtrail's workbench: a Bubble Tea program over an
// index.Store and the detections. It never parses a log line; every slow
// call (search, pivot, detection, import) runs in a tea.Cmd whose context
// ends with the program, and every string from a log goes through Sanitize
// before it reaches the screen.
//
// The root model (this file) holds the views (view.go), one file each:
// search.go (with its parts: query.go, facets.go, timeline.go, events.go,
// pivot.go), sessions.go, detections.go, paths.go, saved.go and
// importview.go. Lists draw through list.go; sessions are found by key
// through lookup.go.
package tui

import (
	"context"
	"fmt"
	"os"
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
	// Store is the store it starts on; the workbench owns it from then on
	// (it gives it up to other processes' imports and reopens the index).
	Store        *index.Store
	IndexDir     string
	Location     *time.Location // display zone (nil = UTC)
	Detect       detect.Config
	Sessions     sessions.Options
	Saved        saved.File // saved queries file
	InitialQuery string     // "" = "*"
	// Reopen opens the index read-only again after the workbench gave it
	// up (cmd finishes a pending session rebuild there); onWait hears whom
	// it waits for. nil: index.OpenContext, read-only.
	Reopen func(ctx context.Context, onWait func([]index.Holder)) (*index.Store, error)
	// Command names the workbench to the processes that wait for it.
	Command string
}

// Run opens the workbench full-screen until the user quits. A running
// import has committed what it read when Run returns, so the caller can
// close the store.
func Run(ctx context.Context, opts Options) error {
	return run(ctx, opts, tea.WithAltScreen(), tea.WithMouseCellMotion())
}

func run(ctx context.Context, opts Options, popts ...tea.ProgramOption) error {
	// Every command's context derives from this one: when the program
	// ends, what still runs (a detection, a search) is cancelled.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := newModel(ctx, opts)
	p := tea.NewProgram(m, append(popts, tea.WithContext(ctx))...)
	_, err := p.Run()
	cancel()
	// A quit the user confirmed comes after the import ended. Otherwise
	// (a forced quit, ctx cancelled by a signal) what was read is committed
	// and the session rebuild is left to the next command (the store's
	// touched record says so).
	_ = m.imp.shutdown()
	// The store open now may be one the workbench reopened: that one is
	// its to close.
	if cerr := m.env.store.close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the index: %w", cerr)
	}
	return err
}

// Model is the root model: the views, the tab bar, the status line, the
// help and the quit protocol.
type Model struct {
	env    *env
	width  int
	height int
	views  []view
	active int
	help   help.Model
	full   bool // full help shown
	err    string
	total  uint64

	// quitAsk: q was pressed while an import runs; the prompt is up.
	// quitting: the user confirmed; the import stops, then the program quits.
	quitAsk  bool
	quitting bool
	// yielded: the store is given up to a writer (writers) or being
	// reopened; the banner says so and views' errors are not shown.
	yielded bool
	writers []index.Holder

	search *searchView // its query is in the status line
	imp    *importView // its import ends before the program does
}

// New builds the workbench model.
func New(opts Options) Model { return newModel(context.Background(), opts) }

// newModel builds the model for a program that ends with ctx: every
// command it starts is cancelled with it.
func newModel(ctx context.Context, opts Options) Model {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.InitialQuery == "" {
		opts.InitialQuery = "*"
	}
	if opts.Command == "" {
		opts.Command = "sshtrail tui"
	}
	e := &env{ctx: ctx, opts: &opts, store: newStoreHolder(opts.Store), self: os.Getpid()}
	e.sessions = e.store
	m := Model{env: e, width: 120, height: 40, help: help.New()}
	m.search = newSearchView(e)
	m.imp = newImportView(e)
	m.views = []view{m.search, newSessionsView(e), newDetectionsView(e), newPathsView(e), newSavedView(e), m.imp}
	return m
}

// Init starts every view (the first search: newest events) and counts the
// index.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{}
	for _, v := range m.views {
		cmds = append(cmds, v.Init())
	}
	cmds = append(cmds, m.countCmd())
	// A workbench that was handed a writable store (tests, callers that
	// own the index) keeps it; a read-only one yields to writers.
	if m.env.store.readOnly() && m.env.opts.IndexDir != "" {
		cmds = append(cmds, m.watchYield())
	}
	return tea.Batch(cmds...)
}

type countMsg struct {
	n   uint64
	err error
}

func (m Model) countCmd() tea.Cmd {
	ctx, h := m.env.ctx, m.env.store
	return func() tea.Msg {
		n, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) (uint64, error) { return st.Total(ctx) })
		return countMsg{n, err}
	}
}

// Update handles the global keys and hands the rest on: keys to the active
// view, every other message to all views.
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
	case showMsg:
		for i, v := range m.views {
			if v == msg.v {
				return m.switchTab(i)
			}
		}
		return m, nil
	case importDoneMsg:
		cmd := m.broadcast(msg)
		if m.quitting {
			return m, tea.Quit
		}
		if msg.reopen {
			// The import wrote through a store of its own, now closed: the
			// views get theirs back read-only, then reload.
			m.yielded, m.writers = true, nil
			return m, tea.Batch(cmd, m.reopenCmd())
		}
		// Every view shows fresh data after an import.
		return m, tea.Batch(cmd, m.broadcast(refreshMsg{}), m.countCmd())
	case yieldTickMsg:
		if len(msg.writers) == 0 || m.yielded || m.imp.running || !m.env.store.readOnly() {
			return m, m.watchYield()
		}
		m.yielded, m.writers = true, msg.writers
		return m, m.yieldCmd()
	case reopenedMsg:
		m.yielded, m.writers = false, nil
		if msg.err != nil {
			if m.env.ctx.Err() == nil {
				m.err = fmt.Sprintf("the index could not be reopened (quit and start the workbench again): %v", msg.err)
			}
			return m, nil
		}
		m.err = ""
		return m, tea.Batch(m.broadcast(refreshMsg{}), m.countCmd(), m.watchYield())
	case tea.KeyMsg:
		return m.key(msg)
	case tea.MouseMsg:
		if msg.Action != tea.MouseActionPress {
			return m, nil
		}
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			return m.toActive(tea.KeyMsg{Type: tea.KeyUp})
		case tea.MouseButtonWheelDown:
			return m.toActive(tea.KeyMsg{Type: tea.KeyDown})
		}
		return m, nil
	}
	return m, m.broadcast(msg)
}

func (m Model) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.quitAsk || m.quitting {
		return m.quitKey(msg)
	}
	typing := m.views[m.active].Typing()
	// ctrl+c quits even from a text input, where q is a letter.
	if key.Matches(msg, keys.Quit) && (!typing || msg.Type == tea.KeyCtrlC) {
		if m.imp.running {
			m.quitAsk = true
			return m, nil
		}
		return m, tea.Quit
	}
	if !typing {
		n := len(m.views)
		switch {
		case key.Matches(msg, keys.Help):
			m.full = !m.full
			return m, nil
		case key.Matches(msg, keys.NextTab):
			return m.switchTab((m.active + 1) % n)
		case key.Matches(msg, keys.PrevTab):
			return m.switchTab((m.active + n - 1) % n)
		case key.Matches(msg, keys.Tab1, keys.Tab2, keys.Tab3, keys.Tab4, keys.Tab5, keys.Tab6):
			if i := int(msg.String()[0] - '1'); i < n {
				return m.switchTab(i)
			}
		}
		if m.full && key.Matches(msg, keys.Back) {
			m.full = false
			return m, nil
		}
	}
	return m.toActive(msg)
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

func (m Model) switchTab(i int) (tea.Model, tea.Cmd) {
	m.active = i
	m.err = ""
	return m, m.views[i].Show()
}

func (m Model) toActive(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	m.views[m.active], cmd = m.views[m.active].Update(msg)
	return m, cmd
}

// broadcast hands a message to every view: a result goes to the view that
// asked for it whatever tab is in front, the others ignore it.
func (m Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i, v := range m.views {
		var cmd tea.Cmd
		m.views[i], cmd = v.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// View draws tabs, the active view and the status bar, never wider than the
// terminal.
func (m Model) View() string {
	w, h := max(m.width, 20), max(m.height, 8)
	var tabs []string
	for i, v := range m.views {
		name := fmt.Sprintf("%d %s", i+1, v.Title())
		if i == m.active {
			tabs = append(tabs, styleTabActive.Render(name))
		} else {
			tabs = append(tabs, styleTab.Render(name))
		}
	}
	top := clip(lipgloss.JoinHorizontal(lipgloss.Top, tabs...), w)
	status := m.statusLine(w)
	cur := m.views[m.active]
	var helpView string
	if m.full {
		helpView = m.help.FullHelpView(append(cur.FullHelp(), globalFull))
	} else {
		helpView = m.help.ShortHelpView(append(cur.ShortHelp(), globalShort...))
	}
	helpLines := strings.Count(helpView, "\n") + 1
	bodyH := h - 2 - 1 - helpLines
	if bodyH < 3 {
		bodyH = 3
	}
	// The quit prompt goes above the view, wrapped: at 80 columns a status
	// line would cut off its y/n.
	var prompt string
	if q := m.imp.quitText(m.quitAsk, m.quitting); q != "" {
		prompt = styleCrumb.Bold(true).Width(w).Render(q)
	} else if m.yielded {
		prompt = styleBanner.Width(w).Render(yieldText(m.writers))
	}
	if prompt != "" {
		bodyH -= strings.Count(prompt, "\n") + 1
		if bodyH < 1 {
			bodyH = 1
		}
	}
	body := frame(cur.View(w, bodyH), w, bodyH)
	if prompt != "" {
		body = clipLines(prompt, w) + "\n" + body
	}
	return strings.Join([]string{top, body, status, clipLines(helpView, w)}, "\n")
}

func (m Model) statusLine(w int) string {
	if m.err != "" {
		return clip(styleError.Render(fit("error: "+m.err, w)), w)
	}
	// Given up, the views' reads fail by design; the banner says why.
	if !m.yielded {
		for _, v := range m.views {
			if e := v.Err(); e != "" {
				return clip(styleError.Render(fit("error: "+e, w)), w)
			}
		}
	}
	q := m.search.query()
	if q == "" {
		q = "*"
	}
	s := fmt.Sprintf("index %s · %d events · query %s · %s", m.env.opts.IndexDir, m.total, q, m.env.opts.Location)
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
