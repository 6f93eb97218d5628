// Package unified imports macOS `log show` output of sshd (processes sshd,
// sshd-session, sshd-keygen-wrapper, and sudo/su): the ndjson and json
// styles and the default, compact and syslog text styles. Messages go
// through the shared sshd classifier, as auth log lines do.
//
// The records carry no host name (the syslog style writes "localhost"), so
// the host is --host, else the first dash-separated word of the file name;
// the summary says which (Stats.Assumed).
package unified

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/sshd"
	"github.com/sshtrail/sshtrail/schema"
)

// Importer reads `log show` output.
type Importer struct{}

func init() { importers.Register(Importer{}, 40) }

// Name is the --format name.
func (Importer) Name() string { return "unified" }

// jsonKeys are keys only `log show` JSON output has together.
var jsonKeys = [][]byte{[]byte(`"eventMessage"`), []byte(`"processImagePath"`), []byte(`"machTimestamp"`)}

// Sniff accepts `log show` JSON (an object or array holding its keys) or a
// text style whose first record line parses.
func (Importer) Sniff(head []byte) bool {
	first := firstContent(head)
	if len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		for _, k := range jsonKeys {
			if bytes.Contains(head, k) {
				return true
			}
		}
		return false
	}
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	_, kind := parseTextLine(bytes.TrimRight(first, "\r"))
	return kind == kindRecord
}

// firstContent returns head from its first line that is not a `log show`
// banner, header or blank line.
func firstContent(head []byte) []byte {
	for len(head) > 0 {
		line, rest, _ := bytes.Cut(head, []byte{'\n'})
		if !isHeader(line) {
			return bytes.TrimLeft(head, " \t\r\n")
		}
		head = rest
	}
	return nil
}

// Import streams src: a JSON array element by element, anything else line
// by line (ndjson objects and text-style lines may even be mixed).
func (Importer) Import(ctx context.Context, src *importers.Source, opts importers.Options, stats *importers.Stats, emit importers.Emit) error {
	r := &run{src: src, opts: opts, stats: stats, out: emit}
	if first := firstContent(src.Head); len(first) > 0 && first[0] == '[' {
		return r.array(ctx)
	}
	return r.lines(ctx)
}

// run is the state of one import.
type run struct {
	src      *importers.Source
	opts     importers.Options
	stats    *importers.Stats
	out      importers.Emit
	host     string
	hostDone bool
	zoneDone bool
	pids     sshd.PIDSources // per process: address and history (as in auth logs)
}

// wanted reports whether a process's records are read: the shared list,
// plus macOS's launchd wrapper that starts sshd.
func wanted(program string) bool {
	return sshd.Wanted(program) || program == "sshd-keygen-wrapper"
}

// emit classifies one entry and hands it on. Only emit errors are returned.
func (r *run) emit(e entry, line int64, id string) error {
	if !wanted(e.Program) {
		r.stats.AddIgnored(r.src.Path, line)
		return nil
	}
	host := e.Host
	if host == "" || host == "localhost" {
		host = r.fileHost()
	}
	ev := &schema.Event{
		ID:     id,
		TS:     e.TS.UTC(),
		TSRaw:  e.TSRaw,
		Format: schema.FormatUnified,
		File:   r.src.Path,
		Line:   line,
		Host:   host,
		PID:    e.PID,
	}
	known := sshd.Classify(ev, e.Program, e.Message)
	r.pids.Fill(ev)
	if !known {
		r.stats.Other++
		r.stats.Sample("other", r.src.Path, line, "")
	}
	if err := r.out(ev); err != nil {
		return err
	}
	r.stats.Counted(schema.FormatUnified)
	return nil
}

// fileHost is the host of records that name none (importers.HostFor:
// --host, the folder, a file name that is a host name), "unknown" when
// nothing names one. The rule that decided is noted once per file.
func (r *run) fileHost() string {
	if r.hostDone {
		return r.host
	}
	r.hostDone = true
	h, rule := importers.HostFor(r.src.Path, r.opts.Host)
	if h == "" {
		h = "unknown"
	}
	r.host = h
	r.stats.Assume(rule)
	return r.host
}

// localTime reads a compact-style time (no offset in the file) in the
// user's zone, noting the assumption once.
func (r *run) localTime(t time.Time) time.Time {
	loc := r.opts.Loc()
	if !r.zoneDone {
		r.zoneDone = true
		r.stats.Assume(fmt.Sprintf("zone %s for compact-style times in %s", loc, r.src.Name))
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), loc)
}
