package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// list is the cursor and scroll of a list of rows. Every list of the
// workbench (events, sessions, a session's events, findings, evidence,
// paths, saved queries) moves with keyList and draws through render.
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

// rowFunc gives the text of row i, already sanitized and fitted, and the
// style it has when it is not the selected row.
type rowFunc func(i int) (text string, style lipgloss.Style)

// render draws the rows of a list of n that fit in h lines of w cells, the
// cursor's row selected when the list has the keyboard.
func (l *list) render(n, w, h int, focused bool, row rowFunc) []string {
	from, to := l.window(n, h)
	lines := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		text, style := row(i)
		lines = append(lines, drawRow(text, style, focused && i == l.cursor, w))
	}
	return lines
}

// drawRow is the one row renderer: a selected row is shown reversed across
// the whole width, any other in its own style.
func drawRow(text string, style lipgloss.Style, selected bool, w int) string {
	if selected {
		if n := utf8.RuneCountInString(text); n < w {
			text += strings.Repeat(" ", w-n)
		}
		return styleSelected.Render(text)
	}
	return style.Render(text)
}
