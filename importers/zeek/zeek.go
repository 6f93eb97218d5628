// Package zeek reads Zeek's ssh.log, conn.log and notice.log, in the TSV
// form (with its #fields header) and in JSON (one object per line). Other
// Zeek logs are skipped and counted.
//
// The TSV header is read every time and column positions are never assumed:
// clusters add _node_name in front, versions rename host_key to
// host_key_fingerprint (8.1), HASSH packages add columns, and a file may hold
// several header blocks (concatenated or rotated logs).
package zeek

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/index"
)

// Importer reads Zeek logs.
type Importer struct{}

func init() { importers.Register(Importer{}, 10) }

// Name is the --format name.
func (Importer) Name() string { return "zeek" }

// Sniff: a TSV header, or a JSON object with Zeek's dotted connection keys.
func (Importer) Sniff(head []byte) bool {
	if bytes.HasPrefix(head, []byte("#separator ")) {
		return true
	}
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return false
	}
	if bytes.Contains(line, []byte(`"id.orig_h"`)) {
		return true
	}
	return bytes.Contains(line, []byte(`"uid"`)) && (bytes.Contains(line, []byte(`"_path"`)) || bytes.Contains(line, []byte(`"id":{`)) || bytes.Contains(line, []byte(`"id": {`)))
}

// header is one TSV header block.
type header struct {
	sep, setSep  string
	empty, unset string
	path         string
	fields       []string
	col          map[string]int
}

func newHeader() *header {
	return &header{sep: "\t", setSep: ",", empty: "(empty)", unset: "-"}
}

// unescapeSep reads the #separator value: "\x09" style escapes.
func unescapeSep(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+3 < len(v) && v[i+1] == 'x' {
			if n, err := strconv.ParseUint(v[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// directive applies one header line; it returns an error for a header line
// that cannot be used.
func (h *header) directive(line string) error {
	if strings.HasPrefix(line, "#separator") {
		v := strings.TrimSpace(strings.TrimPrefix(line, "#separator"))
		s := unescapeSep(v)
		if s == "" {
			return fmt.Errorf("empty #separator")
		}
		*h = *newHeader()
		h.sep = s
		return nil
	}
	name, val, ok := strings.Cut(line[1:], h.sep)
	if !ok {
		// "#open XXXX" in some baselines uses a space.
		name, val, _ = strings.Cut(line[1:], " ")
	}
	switch name {
	case "set_separator":
		h.setSep = val
	case "empty_field":
		h.empty = val
	case "unset_field":
		h.unset = val
	case "path":
		h.path = val
	case "fields":
		h.fields = strings.Split(val, h.sep)
		h.col = make(map[string]int, len(h.fields))
		for i, f := range h.fields {
			h.col[f] = i
		}
	case "types", "open", "close":
	default:
		// Unknown directives are comments.
	}
	return nil
}

// record is one log record, TSV or JSON, seen through Zeek's field names.
type record interface {
	get(name string) (string, bool) // value and whether it is set
}

type tsvRecord struct {
	h    *header
	vals []string
}

func (r tsvRecord) get(name string) (string, bool) {
	i, ok := r.h.col[name]
	if !ok || i >= len(r.vals) {
		return "", false
	}
	v := r.vals[i]
	switch v {
	case r.h.unset:
		return "", false
	case r.h.empty:
		return "", true
	}
	return v, true
}

type jsonRecord map[string]any

func (r jsonRecord) get(name string) (string, bool) {
	v, ok := r[name]
	if !ok || v == nil {
		return "", false
	}
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		if t {
			return "T", true
		}
		return "F", true
	case []any:
		parts := make([]string, 0, len(t))
		for _, x := range t {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, ","), true
	}
	return fmt.Sprint(v), true
}

// flatten turns {"id": {"orig_h": ...}} into "id.orig_h" keys.
func flatten(prefix string, in map[string]any, out jsonRecord) {
	for k, v := range in {
		if m, ok := v.(map[string]any); ok {
			flatten(prefix+k+".", m, out)
			continue
		}
		out[prefix+k] = v
	}
}

// Import streams one Zeek log.
func (imp Importer) Import(ctx context.Context, src *importers.Source, opts importers.Options, stats *importers.Stats, emit importers.Emit) error {
	lr := importers.NewLineReader(src.R)
	h := newHeader()
	sawHeader := false
	skippedPaths := map[string]bool{}
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := lr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			stats.FileErrors = append(stats.FileErrors, fmt.Sprintf("zeek %s:%d: %v", src.Path, line.No, err))
			return nil
		}
		if line.Truncated {
			stats.Truncated++
		}
		text := string(line.Bytes)
		if text == "" {
			continue
		}
		var rec record
		path := ""
		switch {
		case text[0] == '#':
			if err := h.directive(text); err != nil {
				stats.AddMalformed(src.Path, line.No, err.Error())
			}
			sawHeader = true
			continue
		case text[0] == '{':
			m := map[string]any{}
			dec := json.NewDecoder(strings.NewReader(text))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				stats.AddMalformed(src.Path, line.No, "bad JSON: "+shortErr(err))
				continue
			}
			jr := jsonRecord{}
			flatten("", m, jr)
			rec = jr
			path, _ = jr.get("_path")
			if path == "" {
				path = guessPath(jr)
			}
		default:
			if !sawHeader || h.fields == nil {
				stats.AddMalformed(src.Path, line.No, "record before any #fields header")
				continue
			}
			vals := strings.Split(text, h.sep)
			if len(vals) != len(h.fields) {
				stats.AddMalformed(src.Path, line.No, fmt.Sprintf("%d columns, header has %d", len(vals), len(h.fields)))
				continue
			}
			rec = tsvRecord{h: h, vals: vals}
			path = h.path
			if path == "" {
				path = guessPath(rec)
			}
		}
		ev, why := convert(path, rec, opts)
		switch why {
		case "":
		case skipNotSSH, skipFiltered:
			stats.Skipped++
			if !skippedPaths[path+why] {
				skippedPaths[path+why] = true
				stats.Sample("skipped", src.Path, line.No, why+" ("+path+")")
			}
			continue
		default:
			stats.AddMalformed(src.Path, line.No, why)
			continue
		}
		ev.File = src.Path
		ev.Line = line.No
		ev.ID = index.EventID(src.Identity+"|"+path, line.Offset, ev.ZeekUID+"\x00"+text)
		if err := emit(ev); err != nil {
			return err
		}
	}
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// guessPath names the log of a record that does not say (plain JSON).
func guessPath(r record) string {
	has := func(k string) bool { _, ok := r.get(k); return ok }
	switch {
	case has("note") || has("msg") && has("actions"):
		return "notice"
	case has("auth_attempts") || has("auth_success") || has("host_key") || has("host_key_fingerprint") || has("client") && has("direction"):
		return "ssh"
	case has("conn_state") || has("orig_bytes") || has("history") || has("proto") && has("duration"):
		return "conn"
	}
	return "unknown"
}

const (
	skipNotSSH   = "not an SSH record"
	skipFiltered = "filtered by --zeek-conn ssh"
)

// parseTS reads epoch seconds ("1713488395.433985") or ISO 8601.
func parseTS(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, fmt.Errorf("no ts")
	}
	if c := v[0]; c >= '0' && c <= '9' && !strings.Contains(v, "-") {
		sec, frac, _ := strings.Cut(v, ".")
		s, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad ts %q", v)
		}
		var ns int64
		if frac != "" {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			f, err := strconv.ParseInt(frac, 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("bad ts %q", v)
			}
			for i := len(frac); i < 9; i++ {
				f *= 10
			}
			ns = f
		}
		return time.Unix(s, ns).UTC(), nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad ts %q", truncate(v, 40))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func atoi(r record, k string) int {
	v, _ := r.get(k)
	n, _ := strconv.Atoi(v)
	return n
}

func atoi64(r record, k string) int64 {
	v, _ := r.get(k)
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

func str(r record, k string) string {
	v, _ := r.get(k)
	return v
}

// first returns the first set field of names.
func first(r record, names ...string) string {
	for _, n := range names {
		if v, ok := r.get(n); ok && v != "" {
			return v
		}
	}
	return ""
}

// convert maps a record of path to an event, or says why it is not one.
func convert(path string, r record, opts importers.Options) (*index.Event, string) {
	switch path {
	case "ssh", "conn", "notice":
	default:
		return nil, skipNotSSH
	}
	tsRaw, _ := r.get("ts")
	ts, err := parseTS(tsRaw)
	if err != nil {
		return nil, err.Error()
	}
	ev := &index.Event{
		TS: ts, TSRaw: tsRaw,
		Host:    first(r, "_node_name", "_system_name"),
		ZeekUID: str(r, "uid"),
		SrcIP:   str(r, "id.orig_h"), SrcPort: atoi(r, "id.orig_p"),
		DstIP: str(r, "id.resp_h"), DstPort: atoi(r, "id.resp_p"),
		Outcome: index.OutcomeUnknown,
	}
	if ev.Host == "" {
		ev.Host = opts.Host
	}
	switch path {
	case "ssh":
		ev.Format, ev.Action = index.FormatZeekSSH, index.ActionNetworkSession
		switch v, _ := r.get("auth_success"); v {
		case "T", "true":
			ev.Outcome = index.OutcomeSuccess
		case "F", "false":
			ev.Outcome = index.OutcomeFailure
		}
		ev.Client, ev.Server = str(r, "client"), str(r, "server")
		ev.HASSH = first(r, "hassh", "hasshAlgorithms")
		ev.HASSHServer = first(r, "hasshServer", "hassh_server")
		ev.KeyFP = first(r, "host_key_fingerprint", "host_key")
		ev.KeyType = str(r, "host_key_alg")
		ev.Reason = str(r, "direction")
		var b strings.Builder
		// The message is the record in words: endpoints as separate tokens,
		// the uid left to zeek_uid (unique tokens bloat the text index).
		fmt.Fprintf(&b, "ssh %s port %d -> %s port %d", ev.SrcIP, ev.SrcPort, ev.DstIP, ev.DstPort)
		for _, k := range []string{"auth_success", "auth_attempts", "direction", "client", "server", "kex_alg", "host_key_alg", "hassh", "hasshServer"} {
			if v, ok := r.get(k); ok && v != "" {
				fmt.Fprintf(&b, " %s=%s", k, v)
			}
		}
		ev.Message = b.String()
	case "conn":
		ev.Format, ev.Action = index.FormatZeekConn, index.ActionConnection
		service := str(r, "service")
		if opts.ZeekConn == "ssh" && ev.DstPort != 22 && !strings.Contains(service, "ssh") {
			return nil, skipFiltered
		}
		if d, ok := r.get("duration"); ok {
			ev.Duration, _ = strconv.ParseFloat(d, 64)
		}
		ev.BytesOut, ev.BytesIn = atoi64(r, "orig_bytes"), atoi64(r, "resp_bytes")
		ev.ConnState, ev.Service = str(r, "conn_state"), service
		var b strings.Builder
		fmt.Fprintf(&b, "conn %s %s port %d -> %s port %d", str(r, "proto"), ev.SrcIP, ev.SrcPort, ev.DstIP, ev.DstPort)
		// Sizes and duration are fields of their own (bytes_out:>1000000).
		for _, k := range []string{"service", "conn_state", "history"} {
			if v, ok := r.get(k); ok && v != "" {
				fmt.Fprintf(&b, " %s=%s", k, v)
			}
		}
		ev.Message = b.String()
	case "notice":
		note := str(r, "note")
		if !strings.HasPrefix(note, "SSH::") {
			return nil, skipNotSSH
		}
		ev.Format, ev.Action, ev.Notice = index.FormatZeekNotice, index.ActionNotice, note
		if ev.SrcIP == "" {
			ev.SrcIP = str(r, "src")
		}
		if ev.DstIP == "" {
			ev.DstIP = str(r, "dst")
		}
		if ev.DstPort == 0 {
			ev.DstPort = atoi(r, "p")
		}
		ev.Reason = str(r, "sub")
		ev.Message = note + ": " + str(r, "msg")
		if ev.Reason != "" {
			ev.Message += " " + ev.Reason
		}
	}
	return ev, ""
}
