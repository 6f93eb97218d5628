// Package journal imports `journalctl -o json` output (also `-o json-seq`
// and `-o json-pretty`) of sshd and the programs around an SSH login. The
// messages are classified by the shared sshd classifier, exactly as auth
// log lines are.
package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/sshd"
	"github.com/sshtrail/sshtrail/schema"
)

// Importer reads journald JSON exports.
type Importer struct{}

func init() { importers.Register(Importer{}, 30) }

// Name is the --format name.
func (Importer) Name() string { return "journal" }

// Sniff accepts content whose first record is a JSON object (optionally
// after a json-seq RS) holding journald's own trusted fields.
func (Importer) Sniff(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n\x1e")
	if len(h) == 0 || h[0] != '{' {
		return false
	}
	return bytes.Contains(h, []byte(`"__REALTIME_TIMESTAMP"`)) || bytes.Contains(h, []byte(`"__CURSOR"`))
}

// Import streams src one record at a time. One record is one line, except
// for json-pretty output, where a line holding only "{" opens a record that
// a line holding only "}" closes (bounded by importers.MaxLine).
func (Importer) Import(ctx context.Context, src *importers.Source, opts importers.Options, stats *importers.Stats, emit importers.Emit) error {
	lr := importers.NewLineReader(src.R)
	var pretty []byte // a json-pretty record being gathered
	var prettyLine, prettyOff int64
	var pids sshd.PIDSources
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ln, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // interrupted, not a bad file
			}
			// A cut gzip or a bomb: what was read is kept.
			stats.FileErrors = append(stats.FileErrors, fmt.Sprintf("journal %s: %v", src.Path, err))
			break
		}
		if ln.Truncated {
			stats.Truncated++
			stats.AddMalformed(src.Path, ln.No, "line over 1 MiB")
			continue
		}
		b := bytes.TrimSpace(bytes.TrimLeft(ln.Bytes, "\x1e"))
		switch {
		case pretty != nil && string(b) == "{":
			// The previous pretty record never closed.
			stats.AddMalformed(src.Path, prettyLine, "record cut")
			pretty = append(pretty[:0], b...)
			prettyLine, prettyOff = ln.No, ln.Offset
		case pretty != nil:
			if len(pretty)+len(b) > importers.MaxLine {
				stats.AddMalformed(src.Path, prettyLine, "record over 1 MiB")
				pretty = nil
				continue
			}
			pretty = append(pretty, b...)
			if string(b) != "}" {
				continue
			}
			rec := pretty
			pretty = nil
			if err := handle(src, stats, emit, &pids, rec, prettyLine, prettyOff); err != nil {
				return err
			}
		case len(b) == 0:
		case string(b) == "{":
			pretty = append(make([]byte, 0, 4096), b...)
			prettyLine, prettyOff = ln.No, ln.Offset
		default:
			if err := handle(src, stats, emit, &pids, b, ln.No, ln.Offset); err != nil {
				return err
			}
		}
	}
	if pretty != nil {
		stats.AddMalformed(src.Path, prettyLine, "record cut at end of file")
	}
	return nil
}

// handle turns one JSON record into an event. Only emit errors are returned.
func handle(src *importers.Source, stats *importers.Stats, emit importers.Emit, pids *sshd.PIDSources, b []byte, line, off int64) error {
	f, err := parseRecord(b)
	if err != nil {
		stats.AddMalformed(src.Path, line, err.Error())
		return nil
	}
	if !sshd.Wanted(f.Program) {
		stats.AddIgnored(src.Path, line)
		return nil
	}
	ev := &schema.Event{
		ID:     recordID(src, f, off, b),
		TS:     f.TS,
		TSRaw:  f.TSRaw,
		Format: schema.FormatJournal,
		File:   src.Path,
		Line:   line,
		Host:   f.Host,
		PID:    f.PID,
	}
	known := sshd.Classify(ev, f.Program, f.Message)
	// One sshd process serves one connection: its address and what it did
	// so far judge lines that do not say (as in auth logs).
	pids.Fill(ev)
	if !known {
		// As in auth logs: unknown lines of sshd are kept, those of sudo,
		// su and logind ("Session N logged out...") are not SSH evidence.
		if !sshd.KeepUnknown(f.Program) {
			stats.AddIgnored(src.Path, line)
			return nil
		}
		stats.Other++
		stats.Sample("other", src.Path, line, "")
	}
	if err := emit(ev); err != nil {
		return err
	}
	stats.Counted(schema.FormatJournal)
	return nil
}

// recordID names a record by its journal cursor, so the same record read
// from two exports (overlapping `journalctl --since` runs) gets one id. The
// receive time is mixed in because redacted exports shorten cursors until
// they collide. Records without a cursor fall back to their place in the file.
func recordID(src *importers.Source, f fields, off int64, raw []byte) string {
	if f.Cursor != "" {
		return schema.EventID("journal", 0, f.Cursor+"\x00"+f.TSRaw)
	}
	return schema.EventID(src.Identity, off, string(raw))
}
