package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// pageSize rows are fetched per query: several screens, cheap to read.
const pageSize = 200

// eventTable is a result's page of events and the cursor in it; the
// detail pane shows the event under the cursor.
type eventTable struct {
	res  *index.Result
	rows list
}

func (t *eventTable) show(res *index.Result) {
	t.res, t.rows = res, list{}
}

func (t *eventTable) len() int {
	if t.res == nil {
		return 0
	}
	return len(t.res.Events)
}

func (t *eventTable) selected() *schema.Event {
	if t.rows.cursor >= t.len() {
		return nil
	}
	return t.res.Events[t.rows.cursor]
}

// summary is the hit count line ("…" before the first page arrives).
func (t *eventTable) summary() string {
	if t.res == nil {
		return "…"
	}
	s := fmt.Sprintf("%d hits", t.res.Total)
	if t.res.Total > uint64(len(t.res.Events)) {
		s += fmt.Sprintf(" (newest %d shown)", len(t.res.Events))
	}
	return s + fmt.Sprintf(" in %s", t.res.Took.Round(time.Millisecond))
}

type column struct {
	name string
	w    int
}

var eventColumns = []column{{"TIME", 19}, {"HOST", 12}, {"ACTION", 14}, {"OUTCOME", 7}, {"USER", 12}, {"SOURCE", 21}}

func (t *eventTable) view(loc *time.Location, w, h int, focused bool) string {
	cols := eventColumns
	used := 0
	for _, c := range cols {
		used += c.w + 1
	}
	msgW := w - used
	if msgW < 10 { // narrow terminal: drop columns from the right
		cols = cols[:4]
		used = 0
		for _, c := range cols {
			used += c.w + 1
		}
		msgW = max(5, w-used)
	}
	var hdr strings.Builder
	for _, c := range cols {
		hdr.WriteString(pad(c.name, c.w) + " ")
	}
	hdr.WriteString(pad("MESSAGE", msgW))
	lines := []string{styleHeader.Render(fit(hdr.String(), w))}
	if t.len() == 0 {
		if t.res != nil {
			lines = append(lines, styleDim.Render("no events match"))
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines, t.rows.render(t.len(), w, h-1, focused, func(i int) (string, lipgloss.Style) {
		ev := t.res.Events[i]
		vals := []string{ev.TS.In(loc).Format("2006-01-02 15:04:05"), ev.Host, ev.Action, ev.Outcome, ev.User, source(ev)}
		var row strings.Builder
		for j, c := range cols {
			row.WriteString(pad(vals[j], c.w) + " ")
		}
		row.WriteString(pad(ev.Message, msgW))
		if ev.Outcome == schema.OutcomeFailure {
			return row.String(), styleFailure
		}
		return row.String(), lipgloss.Style{}
	})...)
	return strings.Join(lines, "\n")
}

// source is the client end of an event: address and port.
func source(ev *schema.Event) string {
	if ev.SrcIP == "" {
		return ""
	}
	if ev.SrcPort == 0 {
		return ev.SrcIP
	}
	if strings.Contains(ev.SrcIP, ":") {
		return fmt.Sprintf("[%s]:%d", ev.SrcIP, ev.SrcPort)
	}
	return fmt.Sprintf("%s:%d", ev.SrcIP, ev.SrcPort)
}

// detailView is the selected event whole: where it was read, its text,
// then its fields in two columns.
func (t *eventTable) detailView(loc *time.Location, w, h int) string {
	ev := t.selected()
	if ev == nil {
		return ""
	}
	lines := []string{styleHeader.Render(fit(fmt.Sprintf("%s:%d  (%s)  id %s", ev.File, ev.Line, ev.Format, ev.ID), w))}
	lines = append(lines, fit("  "+ev.Message, w))
	kv := eventFields(ev, loc)
	colW := w / 2
	for i := 0; i < len(kv); i += 2 {
		l := pad(kv[i], colW)
		if i+1 < len(kv) {
			l += fit(kv[i+1], w-colW)
		}
		lines = append(lines, l)
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

// detailFields are the fields of the detail pane: the field table
// (schema.EventFields) in its order, but the program read next to the host
// that wrote the line; without those the pane's first two lines show (id,
// file, line, format, message) or that are another form of one shown
// (message_raw: the message's original bytes), and without the second half
// of a joined pair (see detailName).
var detailFields = func() []schema.Field {
	var out []schema.Field
	for _, f := range schema.EventFields {
		switch f.Name {
		case "id", "file", "line", "format", "message", "message_raw", "src_port", "key_fp", "bytes_in", "program":
			continue
		}
		out = append(out, f)
		if f.Name == "host" {
			p, _ := schema.EventField("program")
			out = append(out, p)
		}
	}
	return out
}()

// detailName is a field's name in the pane: joined pairs read as one.
func detailName(field string) string {
	switch field {
	case "src_ip":
		return "src" // address:port, as the table shows it
	case "key_type":
		return "key" // type and fingerprint
	case "bytes_out":
		return "bytes out/in"
	}
	return field
}

// detailValue is a field's value in the pane ("" = not set).
func detailValue(f schema.Field, ev *schema.Event, loc *time.Location) string {
	switch f.Name {
	case "ts":
		return ev.TS.In(loc).Format(time.RFC3339Nano) // in the display zone
	case "src_ip":
		return source(ev)
	case "key_type":
		return strings.TrimSpace(ev.KeyType + " " + ev.KeyFP)
	case "bytes_out":
		if ev.BytesOut == 0 && ev.BytesIn == 0 {
			return ""
		}
		return fmt.Sprintf("%d/%d", ev.BytesOut, ev.BytesIn)
	case "duration":
		if ev.Duration == 0 {
			return ""
		}
		return fmt.Sprintf("%.1fs", ev.Duration)
	}
	return f.Value(ev)
}

// eventFields are the detail pane's "name: value" cells, sanitized.
func eventFields(ev *schema.Event, loc *time.Location) []string {
	var kv []string
	for _, f := range detailFields {
		if v := detailValue(f, ev, loc); v != "" {
			kv = append(kv, detailName(f.Name)+": "+Sanitize(v))
		}
	}
	return kv
}
