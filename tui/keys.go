package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every key binding of the workbench. Each view's help lists the
// ones it acts on (its ShortHelp and FullHelp); the root adds the global
// ones (globalShort, globalFull).
type keyMap struct {
	Quit, Help, NextTab, PrevTab, Focus, Run, Back          key.Binding
	Up, Down, PageUp, PageDown, Top, Bottom, Open           key.Binding
	PivotUser, PivotHost, PivotIP, Facets, Histogram, Rerun key.Binding
	Save, Delete, Tab1, Tab2, Tab3, Tab4, Tab5, Tab6        key.Binding
	Yes, No                                                 key.Binding // the quit prompt
}

var keys = keyMap{
	Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	NextTab:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
	PrevTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
	Tab1:      key.NewBinding(key.WithKeys("1"), key.WithHelp("1-6", "go to view")),
	Tab2:      key.NewBinding(key.WithKeys("2")),
	Tab3:      key.NewBinding(key.WithKeys("3")),
	Tab4:      key.NewBinding(key.WithKeys("4")),
	Tab5:      key.NewBinding(key.WithKeys("5")),
	Tab6:      key.NewBinding(key.WithKeys("6")),
	Focus:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "edit query")),
	Run:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run / open")),
	Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
	Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
	PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
	PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn", "page down")),
	Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
	Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
	Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	PivotUser: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "pivot on user")),
	PivotHost: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "pivot on host")),
	PivotIP:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "pivot on source")),
	Facets:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "facets: pick a value to narrow")),
	Histogram: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "timeline: pick a bar to narrow")),
	Rerun:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run again")),
	Save:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save query")),
	Delete:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
	Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
	No:        key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
}

// withHelp is b with another help text: the same key, named for what it
// does in one view.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// listKeys move the cursor of every list.
var listKeys = []key.Binding{keys.Up, keys.Down, keys.PageUp, keys.PageDown, keys.Top, keys.Bottom}

// globalShort and globalFull are the keys of every view, after the view's
// own in the help line and the ? screen.
var (
	globalShort = []key.Binding{keys.NextTab, keys.Help, keys.Quit}
	globalFull  = []key.Binding{keys.NextTab, keys.PrevTab, keys.Tab1, keys.Help, keys.Quit}
)
