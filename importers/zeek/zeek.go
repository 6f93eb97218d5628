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
	"errors"
	"fmt"
	"io"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// Importer reads Zeek logs.
type Importer struct{}

func init() { importers.Register(Importer{}, 10) }

// Name is the --format name.
func (Importer) Name() string { return "zeek" }

// Sniff: a TSV header, or a JSON object that is a Zeek record: a _path, the
// dotted connection keys, or a uid with a ts (plain JSON, nested id).
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
	has := func(k string) bool { return bytes.Contains(line, []byte(k)) }
	return has(`"id.orig_h"`) || has(`"_path"`) && has(`"ts"`) || has(`"uid"`) && has(`"ts"`)
}

// Import streams one Zeek log: TSV (any number of header blocks) or JSON
// lines, told apart line by line.
func (imp Importer) Import(ctx context.Context, src *importers.Source, opts importers.Options, stats *importers.Stats, emit importers.Emit) error {
	lr := importers.NewLineReader(src.R)
	h := newHeader()
	var r rec
	skipped := map[[2]string]bool{} // one sample per (log, reason)
	idPath, idPrefix := "", ""      // src.Identity+"|"+path, built once per log kind
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := lr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err() // interrupted, not a bad file
			}
			stats.FileErrors = append(stats.FileErrors, fmt.Sprintf("zeek %s:%d: %v", src.Path, line.No, err))
			return nil
		}
		if line.Truncated {
			stats.Truncated++
		}
		if len(line.Bytes) == 0 {
			continue
		}
		text := string(line.Bytes)
		path := ""
		switch text[0] {
		case '#':
			if err := h.directive(text); err != nil {
				stats.AddMalformed(src.Path, line.No, err.Error())
			}
			continue
		case '{':
			if err := parseJSON(text, &r); err != nil {
				stats.AddMalformed(src.Path, line.No, "bad JSON: "+shortErr(err))
				continue
			}
			path = r.str(fPath)
		default:
			if h.fields == nil {
				stats.AddMalformed(src.Path, line.No, "record before any #fields header")
				continue
			}
			if err := h.parse(text, &r); err != nil {
				stats.AddMalformed(src.Path, line.No, err.Error())
				continue
			}
			path = h.path
		}
		if path == "" {
			path = guessPath(&r)
		}
		ev, why := convert(path, &r, opts)
		switch why {
		case "":
		case skipNotSSH, skipFiltered:
			stats.Skipped++
			if k := [2]string{path, why}; !skipped[k] {
				skipped[k] = true
				stats.Sample("skipped", src.Path, line.No, why+" ("+path+")")
			}
			continue
		default:
			stats.AddMalformed(src.Path, line.No, why)
			continue
		}
		ev.File = src.Path
		ev.Line = line.No
		if path != idPath || idPrefix == "" {
			idPath, idPrefix = path, src.Identity+"|"+path
		}
		ev.ID = schema.EventID(idPrefix, line.Offset, ev.ZeekUID+"\x00"+text)
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
