// Package export writes events and sessions for the tools the rest of a team
// uses: ECS NDJSON for Elasticsearch/OpenSearch, CSV for spreadsheets, and
// Timesketch JSONL. Writers stream: one record at a time, constant memory
// whatever the export size. Every format is inert however hostile the log
// text (see inert.go): CSV cells have controls escaped and formulas
// neutralised, JSON has C1 controls and bidi runes \u-escaped.
package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Formats.
const (
	ECS        = "ecs"
	CSV        = "csv"
	JSONL      = "jsonl"
	Timesketch = "timesketch"
)

// Formats lists the export formats.
func Formats() []string { return []string{ECS, CSV, JSONL, Timesketch} }

// Writer writes records of one kind in one format.
type Writer interface {
	Event(*schema.Event) error
	Session(*schema.Session) error
	// Row writes a generic record (findings): keys in a fixed order.
	Row(r Record) error
	Close() error
}

// Record is a generic row for kinds the index package does not know (findings).
type Record struct {
	Time    time.Time
	Message string
	Kind    string // event.kind / timestamp_desc hint, e.g. "alert"
	Fields  []Field
}

// Field is one named value of a Record.
type Field struct {
	Name  string
	Value any
}

// New returns a writer of format to w. columns names the CSV header for Row
// records (ignored by other formats).
func New(format string, w io.Writer) (Writer, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	switch format {
	case ECS:
		return &ecsWriter{w: bw, enc: json.NewEncoder(InertJSON(bw))}, nil
	case JSONL:
		return &jsonlWriter{w: bw, enc: json.NewEncoder(InertJSON(bw))}, nil
	case Timesketch:
		return &tsWriter{w: bw, enc: json.NewEncoder(InertJSON(bw))}, nil
	case CSV:
		return &csvWriter{w: bw, c: csv.NewWriter(bw)}, nil
	}
	return nil, fmt.Errorf("export format %q: use one of %s", format, strings.Join(Formats(), ", "))
}

// ---- JSONL: the sshtrail JSON contract as is.

type jsonlWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func (j *jsonlWriter) Event(ev *schema.Event) error    { return j.enc.Encode(ev) }
func (j *jsonlWriter) Session(s *schema.Session) error { return j.enc.Encode(s) }
func (j *jsonlWriter) Row(r Record) error              { return j.enc.Encode(recordMap(r)) }
func (j *jsonlWriter) Close() error                    { return j.w.Flush() }

func recordMap(r Record) map[string]any {
	m := make(map[string]any, len(r.Fields)+1)
	for _, f := range r.Fields {
		m[f.Name] = f.Value
	}
	return m
}

// ---- CSV

// CSVEventColumns is the header of an event CSV export.
var CSVEventColumns = []string{"ts", "host", "action", "outcome", "user", "uid", "src_ip", "src_port", "dst_ip", "dst_port", "dst_host", "method", "key_type", "key_fp", "pid", "sid", "program", "command", "format", "file", "line", "id", "message"}

// CSVSessionColumns is the header of a session CSV export.
var CSVSessionColumns = []string{"sid", "host", "dst_ip", "user", "src_ip", "src_port", "start", "end", "duration", "method", "key_fp", "outcome", "failures", "commands", "sources", "parent", "events"}

type csvWriter struct {
	w      *bufio.Writer
	c      *csv.Writer
	header bool
}

func (c *csvWriter) writeHeader(cols []string) error {
	if c.header {
		return nil
	}
	c.header = true
	return c.c.Write(cols)
}

func itoa(v int) string {
	if v == 0 {
		return ""
	}
	return strconv.Itoa(v)
}

func (c *csvWriter) Event(ev *schema.Event) error {
	if err := c.writeHeader(CSVEventColumns); err != nil {
		return err
	}
	return c.c.Write(csvRow([]string{
		ev.TS.UTC().Format(time.RFC3339Nano), ev.Host, ev.Action, ev.Outcome, ev.User, ev.UID,
		ev.SrcIP, itoa(ev.SrcPort), ev.DstIP, itoa(ev.DstPort), ev.DstHost, ev.Method, ev.KeyType, ev.KeyFP,
		itoa(ev.PID), ev.SID, ev.Program, ev.Command, ev.Format, ev.File, strconv.FormatInt(ev.Line, 10), ev.ID, ev.Message,
	}))
}

func (c *csvWriter) Session(s *schema.Session) error {
	if err := c.writeHeader(CSVSessionColumns); err != nil {
		return err
	}
	end := ""
	if !s.End.IsZero() {
		end = s.End.UTC().Format(time.RFC3339Nano)
	}
	return c.c.Write(csvRow([]string{
		s.SID, s.Host, s.DstIP, s.User, s.SrcIP, itoa(s.SrcPort), s.Start.UTC().Format(time.RFC3339Nano), end,
		strconv.FormatFloat(s.Duration, 'f', -1, 64), s.Method, s.KeyFP, s.Outcome, strconv.Itoa(s.Failures),
		strings.Join(s.Commands, " ; "), strings.Join(s.Sources, " "), s.Parent, strings.Join(s.Events, " "),
	}))
}

func (c *csvWriter) Row(r Record) error {
	if !c.header {
		cols := make([]string, len(r.Fields))
		for i, f := range r.Fields {
			cols[i] = f.Name
		}
		if err := c.writeHeader(cols); err != nil {
			return err
		}
	}
	row := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		row[i] = cellString(f.Value)
	}
	return c.c.Write(csvRow(row))
}

func cellString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []string:
		return strings.Join(t, " ")
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func (c *csvWriter) Close() error {
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}
