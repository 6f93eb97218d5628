package tui

import (
	"context"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// view is one tab of the workbench. The root model holds them in a slice:
// it hands keys to the active one and every other message to all of them
// (each acts on its own messages only), draws the active one between the
// tab bar and the status line, and composes its help with the global keys.
type view interface {
	// KeyMap is the view's own keys; the root adds the global ones.
	help.KeyMap
	// Title names the tab.
	Title() string
	// Init is the view's first command, when the program starts.
	Init() tea.Cmd
	// Show is run when the tab is brought to the front (loads what the
	// view has not loaded yet).
	Show() tea.Cmd
	Update(msg tea.Msg) (view, tea.Cmd)
	// View draws the view in w×h cells.
	View(w, h int) string
	// Typing reports whether a text input has the keyboard: q is then a
	// letter, not quit.
	Typing() bool
	// Err is the view's last error, for the status line ("" = none).
	Err() string
}

// env is what every view shares: the program's context, from which every
// command's context derives, so quitting cancels what still runs; the
// options; the store (through its holder, never Options.Store: the
// workbench reopens it); and how sessions are found.
type env struct {
	ctx      context.Context
	opts     *Options
	store    *storeHolder
	sessions sessionIndex
	// self is this process: its own writer never makes it yield.
	self int
}

// base is what every view embeds: the shared env, the view's last error,
// and the defaults of the interface (no first command, no text input).
type base struct {
	env *env
	err string
}

func (b *base) Init() tea.Cmd { return nil }

func (b *base) Show() tea.Cmd { return nil }

func (b *base) Typing() bool { return false }

func (b *base) Err() string { return b.err }

// listHelp is the ? screen of a view that is a list: its keys, then the
// cursor's.
func listHelp(own ...key.Binding) [][]key.Binding { return [][]key.Binding{own, listKeys} }

// showMsg brings a view to the front: a view returns it (show) when
// another view asked it for something (open a session, run a query).
type showMsg struct{ v view }

func show(v view) tea.Cmd { return func() tea.Msg { return showMsg{v} } }

// errMsg reports a failure of a background command in the status bar.
type errMsg struct{ err error }

// openSessionMsg asks the Sessions view to open one session.
type openSessionMsg struct{ sid string }

// runQueryMsg asks the Search view to run a query.
type runQueryMsg struct{ query string }
