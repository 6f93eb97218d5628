package tui

import (
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/schema"
)

// queryInput is the query line of the Search view: what is being typed,
// the queries run before (up and down walk them) and field-name completion
// (tab).
type queryInput struct {
	in      textinput.Model
	history []string
	pos     int // in history; len(history) = past the newest
}

func newQueryInput(initial string) queryInput {
	in := textinput.New()
	in.Prompt = "query> "
	in.Placeholder = `* or user:root action:auth_failure src_ip:10.0.0.0/8 "Failed password"`
	in.CharLimit = 2000
	in.SetValue(initial)
	return queryInput{in: in}
}

func (q *queryInput) focused() bool { return q.in.Focused() }

// focus gives the input the keyboard; "*" (everything) is cleared so the
// analyst types over it.
func (q *queryInput) focus() tea.Cmd {
	if q.in.Value() == "*" {
		q.in.SetValue("")
	}
	q.in.Focus()
	q.in.CursorEnd()
	return textinput.Blink
}

// set shows v in the line without running it.
func (q *queryInput) set(v string) { q.in.SetValue(v) }

// remember adds a query that ran to the history.
func (q *queryInput) remember(v string) {
	if v != "" && (len(q.history) == 0 || q.history[len(q.history)-1] != v) {
		q.history = append(q.history, v)
	}
	q.pos = len(q.history)
}

// key handles a key while the line has the keyboard. Enter returns the
// query to run ("*" for an empty line); esc gives the keyboard back and
// shows current, the query that ran, again.
func (q *queryInput) key(msg tea.KeyMsg, current string) (runQ string, cmd tea.Cmd) {
	switch msg.Type {
	case tea.KeyEnter:
		v := strings.TrimSpace(q.in.Value())
		if v == "" {
			v = "*"
		}
		q.in.Blur()
		q.remember(v)
		return v, nil
	case tea.KeyEsc:
		q.in.Blur()
		q.in.SetValue(current)
	case tea.KeyUp:
		if q.pos > 0 {
			q.pos--
			q.in.SetValue(q.history[q.pos])
			q.in.CursorEnd()
		}
	case tea.KeyDown:
		if q.pos < len(q.history)-1 {
			q.pos++
			q.in.SetValue(q.history[q.pos])
		} else {
			q.pos = len(q.history)
			q.in.SetValue("")
		}
		q.in.CursorEnd()
	case tea.KeyTab:
		q.complete()
	default:
		q.in, cmd = q.in.Update(msg)
	}
	return "", cmd
}

// completions are the field names a query can name, from the field table.
var completions = func() []string {
	var out []string
	for _, f := range schema.EventFields {
		if f.Searchable() {
			out = append(out, f.Name+":")
		}
	}
	sort.Strings(out)
	return out
}()

// complete finishes the field name being typed, as far as it is unique.
func (q *queryInput) complete() {
	v := q.in.Value()
	i := strings.LastIndexAny(v, " (+-!") + 1
	word := v[i:]
	if word == "" || strings.Contains(word, ":") {
		return
	}
	var hits []string
	for _, f := range completions {
		if strings.HasPrefix(f, word) {
			hits = append(hits, f)
		}
	}
	if len(hits) == 0 {
		return
	}
	common := hits[0]
	for _, h := range hits[1:] {
		for !strings.HasPrefix(h, common) {
			common = common[:len(common)-1]
		}
	}
	q.in.SetValue(v[:i] + common)
	q.in.CursorEnd()
}

func (q *queryInput) view() string { return q.in.View() }

// savePrompt asks for a name and saves the current query under it.
type savePrompt struct {
	in   textinput.Model
	open bool
}

func newSavePrompt() savePrompt {
	in := textinput.New()
	in.Prompt = "save as> "
	return savePrompt{in: in}
}

func (p *savePrompt) start() tea.Cmd {
	p.open = true
	p.in.SetValue("")
	p.in.Focus()
	return textinput.Blink
}

// key handles a key while the prompt is open: enter saves query in f (the
// Saved view hears of it), esc closes the prompt.
func (p *savePrompt) key(msg tea.KeyMsg, f saved.File, query string) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		p.open = false
		return nil
	case tea.KeyEnter:
		name := strings.TrimSpace(p.in.Value())
		p.open = false
		if name == "" {
			return nil
		}
		return func() tea.Msg {
			err := f.Put(saved.Query{Name: name, Query: query, Target: saved.TargetEvents, Created: time.Now().UTC()})
			if err != nil {
				return errMsg{err}
			}
			return savedMsg{note: "saved " + name}
		}
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	return cmd
}

func (p *savePrompt) view() string { return p.in.View() }
