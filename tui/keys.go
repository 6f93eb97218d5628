package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every key binding of the workbench; bubbles/help shows them.
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

// ShortHelp is the one-line help of the status bar.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Focus, k.Open, k.PivotUser, k.PivotHost, k.PivotIP, k.Back, k.NextTab, k.Help, k.Quit}
}

// FullHelp is the ? screen.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Focus, k.Run, k.Back, k.Save, k.Facets, k.Histogram},
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.PivotUser, k.PivotHost, k.PivotIP, k.Open, k.Rerun, k.Delete},
		{k.NextTab, k.PrevTab, k.Tab1, k.Help, k.Quit},
	}
}
