// Package authlog reads Linux auth logs (Debian auth.log, RHEL secure) and
// any syslog file: RFC 3164, RFC 5424, rsyslog ISO 8601 and the BSD, metalog
// and Solaris variants. sshd, sudo, su and systemd-logind lines become
// events through the shared sshd classifier; other programs are counted as
// ignored.
//
// Choices:
//   - rsyslog "message repeated N times: [ msg ]" is N events of msg (rsyslog
//     writes the first occurrence on its own line and folds the N that
//     followed), each with Reason noting the repeat, so counts of attempts
//     stay honest. sysklogd "last message repeated N times" repeats the
//     previous line of the file N times the same way (when that line was an
//     event; otherwise it is ignored).
//   - A read error (truncated .gz, decompression bomb) keeps every line read
//     so far, is written to stats.FileErrors, and Import returns nil: the
//     file's good part is imported and the summary says what went wrong.
//   - sshd lines without an address (Disconnecting: Too many authentication
//     failures, kex_exchange_identification, pam_unix session lines) get the
//     address of the same sshd process (host, pid) seen within 10 minutes
//     (sshd.PIDSources): one sshd process serves one client.
//   - Lines without a syslog timestamp (binary junk, stray continuation
//     lines) are malformed; blank lines are skipped without counting.
package authlog

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/sshd"
	"github.com/sshtrail/sshtrail/schema"
)

func init() { importers.Register(Importer{}, 100) }

// Importer is the syslog/auth log format.
type Importer struct{}

// Name implements importers.Importer.
func (Importer) Name() string { return schema.FormatAuthlog }

// Sniff is true when one of the first complete lines has a syslog header.
func (Importer) Sniff(head []byte) bool {
	s := string(head)
	complete := strings.LastIndexByte(s, '\n')
	if complete >= 0 && len(head) >= importers.HeadSize {
		s = s[:complete] // the last line may be cut by the head size
	}
	for i := 0; i < 10 && s != ""; i++ {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if h, ok := parseHeader(line, time.UTC); ok && h.program != "" {
			return true
		}
	}
	return false
}

// checkEvery is how many lines pass between checks of ctx.
const checkEvery = 4096

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src *importers.Source, opts importers.Options, stats *importers.Stats, emit importers.Emit) error {
	p := parser{
		src:   src,
		stats: stats,
		emit:  emit,
		loc:   opts.Loc(),
		years: importers.NewYearInfer(opts, src.ModTime),
	}
	lr := importers.NewLineReader(src.R)
	var lastNo int64
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // interrupted, not a bad file
			}
			stats.FileErrors = append(stats.FileErrors, fmt.Sprintf("authlog %s:%d: %v (lines before kept)", src.Path, lastNo+1, err))
			break
		}
		lastNo = line.No
		if err := p.line(line); err != nil {
			return err
		}
	}
	p.years.Note(stats, src.Name)
	if p.zoneless {
		importers.NoteZone(stats, p.loc)
	}
	return nil
}

// parser holds one file's state.
type parser struct {
	src      *importers.Source
	stats    *importers.Stats
	emit     importers.Emit
	loc      *time.Location
	years    *importers.YearInfer
	zoneless bool
	prev     *schema.Event // the last event, for "last message repeated"
	pids     sshd.PIDSources
}

func (p *parser) line(line importers.Line) error {
	if line.Truncated {
		p.stats.Truncated++
		p.stats.Sample("truncated", p.src.Path, line.No, "")
	}
	if len(line.Bytes) == 0 {
		return nil
	}
	text := string(line.Bytes)
	h, ok := parseHeader(text, p.loc)
	if !ok {
		p.prev = nil
		p.stats.AddMalformed(p.src.Path, line.No, "no syslog header")
		return nil
	}
	if h.rfc3164 {
		t, ok := p.years.Time(h.stamp)
		if !ok {
			p.prev = nil
			p.stats.AddMalformed(p.src.Path, line.No, "no such date")
			return nil
		}
		h.ts = t
	}
	if !h.zoned {
		p.zoneless = true
	}
	if h.repeat > 0 && p.prev != nil && (h.program == "" || h.program == p.prev.Program || sshd.Wanted(h.program)) {
		return p.repeatPrev(line, h)
	}
	if !sshd.Wanted(h.program) {
		p.prev = nil
		p.stats.AddIgnored(p.src.Path, line.No)
		return nil
	}
	msg, times := rsyslogRepeat(h.msg)
	ev := p.event(line, text, h)
	known := sshd.Classify(ev, h.program, msg)
	p.pids.Fill(ev)
	if !known {
		if !sshd.KeepUnknown(h.program) {
			p.prev = nil
			p.stats.AddIgnored(p.src.Path, line.No)
			return nil
		}
		p.stats.Other++
		p.stats.Sample("other", p.src.Path, line.No, "")
	}
	if times > 1 {
		note := "message repeated " + strconv.Itoa(times) + " times"
		ev.Reason = joinReason(ev.Reason, note)
		for k := 1; k < times; k++ {
			cp := *ev
			cp.ID = schema.EventID(p.src.Identity, line.Offset, text+"\x00#"+strconv.Itoa(k))
			if err := p.send(&cp); err != nil {
				return err
			}
		}
	}
	p.prev = ev
	return p.send(ev)
}

// repeatPrev emits the previous event again N times ("last message repeated").
func (p *parser) repeatPrev(line importers.Line, h header) error {
	text := string(line.Bytes)
	for k := 0; k < h.repeat; k++ {
		cp := *p.prev
		cp.ID = schema.EventID(p.src.Identity, line.Offset, text+"\x00#"+strconv.Itoa(k))
		cp.TS, cp.TSRaw, cp.Line = h.ts, h.tsRaw, line.No
		cp.Reason = joinReason(p.prev.Reason, "last message repeated "+strconv.Itoa(h.repeat)+" times")
		if err := p.send(&cp); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) event(line importers.Line, text string, h header) *schema.Event {
	return &schema.Event{
		ID:     schema.EventID(p.src.Identity, line.Offset, text),
		TS:     h.ts.UTC(),
		TSRaw:  h.tsRaw,
		Format: schema.FormatAuthlog,
		File:   p.src.Path,
		Line:   line.No,
		Host:   h.host,
		PID:    h.pid,
	}
}

func (p *parser) send(ev *schema.Event) error {
	p.stats.Counted(schema.FormatAuthlog)
	return p.emit(ev)
}

// rsyslogRepeat unwraps "message repeated 5 times: [ Failed password ...]".
func rsyslogRepeat(msg string) (string, int) {
	t, ok := strings.CutPrefix(msg, "message repeated ")
	if !ok {
		return msg, 1
	}
	n, rest, ok := strings.Cut(t, " times: [")
	if !ok || !allDigits(n) {
		return msg, 1
	}
	times := atoi(n)
	if times < 1 {
		return msg, 1
	}
	inner := strings.TrimPrefix(rest, " ")
	inner = strings.TrimSuffix(inner, "]")
	return inner, times
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
