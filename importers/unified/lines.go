package unified

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// pending is a text record held back until the next record line, because
// `log show` prints a multi-line message as is: the lines that follow a
// record and start no record of their own belong to its message.
type pending struct {
	e    entry
	line int64
	id   string
	msg  []byte
}

// lines reads ndjson and the text styles.
func (r *run) lines(ctx context.Context) error {
	lr := importers.NewLineReader(r.src.R)
	var p *pending
	flush := func() error {
		if p == nil {
			return nil
		}
		p.e.Message = string(bytes.TrimRight(p.msg, "\n"))
		err := r.emit(p.e, p.line, p.id)
		p = nil
		return err
	}
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
			r.stats.FileErrors = append(r.stats.FileErrors, fmt.Sprintf("unified %s: %v", r.src.Path, err))
			break
		}
		if ln.Truncated {
			r.stats.Truncated++
			r.stats.AddMalformed(r.src.Path, ln.No, "line over 1 MiB")
			continue
		}
		b := ln.Bytes
		if t := bytes.TrimLeft(b, " \t"); len(t) > 0 && t[0] == '{' {
			if err := flush(); err != nil {
				return err
			}
			if err := r.ndjson(t, ln); err != nil {
				return err
			}
			continue
		}
		rec, kind := parseTextLine(b)
		switch {
		case kind == kindRecord:
			if err := flush(); err != nil {
				return err
			}
			p = r.startText(rec, ln)
		case kind == kindHeader && len(bytes.TrimSpace(b)) == 0:
			if p != nil {
				p.msg = append(p.msg, '\n')
			}
		case kind == kindHeader:
			if err := flush(); err != nil {
				return err
			}
		case p != nil && len(p.msg)+len(b) < importers.MaxLine:
			p.msg = append(append(p.msg, '\n'), b...)
		default:
			r.stats.AddMalformed(r.src.Path, ln.No, "not a log show record")
		}
	}
	return flush()
}

func (r *run) startText(rec textRecord, ln importers.Line) *pending {
	e := entry{TS: rec.TS, TSRaw: rec.TSRaw, Host: rec.Host, Program: rec.Program, PID: rec.PID}
	if !rec.Zoned {
		e.TS = r.localTime(rec.TS)
	}
	return &pending{
		e:    e,
		line: ln.No,
		id:   schema.EventID(r.src.Identity, ln.Offset, string(ln.Bytes)),
		msg:  append([]byte(nil), rec.Message...),
	}
}

// ndjson handles one `--style ndjson` line.
func (r *run) ndjson(b []byte, ln importers.Line) error {
	e, err := parseJSONRecord(b)
	switch {
	case errors.Is(err, errTrailer):
		return nil
	case errors.Is(err, errNotLog):
		r.stats.AddIgnored(r.src.Path, ln.No)
		return nil
	case err != nil:
		r.stats.AddMalformed(r.src.Path, ln.No, err.Error())
		return nil
	}
	return r.emit(e, ln.No, schema.EventID(r.src.Identity, ln.Offset, string(b)))
}
