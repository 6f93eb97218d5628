// Package auditd imports Linux audit.log (raw and ENRICHED): the user-space
// records sshd and PAM write for each SSH login, and execs of the SSH
// clients (ssh, scp, sftp, sshpass, autossh) with their forward options.
package auditd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

func init() { importers.Register(Importer{}, 20) }

// Importer is the auditd format.
type Importer struct{}

// Name implements importers.Importer.
func (Importer) Name() string { return schema.FormatAuditd }

// Sniff accepts content whose first line starts `type=T msg=audit(` or
// `node=H type=T msg=audit(`.
func (Importer) Sniff(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for len(head) > 0 {
		line := head
		if nl := bytes.IndexByte(head, '\n'); nl >= 0 {
			line, head = head[:nl], head[nl+1:]
		} else {
			head = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return sniffLine(line)
	}
	return false
}

func sniffLine(l []byte) bool {
	if bytes.HasPrefix(l, []byte("node=")) {
		sp := bytes.IndexByte(l, ' ')
		if sp < 0 {
			return false
		}
		l = l[sp+1:]
	}
	if !bytes.HasPrefix(l, []byte("type=")) {
		return false
	}
	sp := bytes.IndexByte(l, ' ')
	return sp > len("type=") && bytes.HasPrefix(l[sp+1:], []byte("msg=audit("))
}

// Window is how many records a kernel event may stay open after its last
// record was seen: records of one event are usually adjacent but may
// interleave with others. Memory stays bounded by it.
const Window = 64

// Bounds on one open event, so a hostile file cannot grow one without end.
const (
	maxGroupRecords = 1024
	maxGroupBytes   = 8 << 20
)

// Import implements importers.Importer.
func (Importer) Import(ctx context.Context, src *importers.Source, opts importers.Options, stats *importers.Stats, emit importers.Emit) error {
	im := &run{src: src, opts: opts, stats: stats, emit: emit, open: map[string]*group{}}
	lr := importers.NewLineReader(src.R)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // interrupted: no flush of half-seen events
			}
			// A cut gzip or a bomb: keep what was read, say why it stopped.
			stats.FileErrors = append(stats.FileErrors, fmt.Sprintf("auditd %s:%d: %v", src.Path, im.lastLine+1, err))
			break
		}
		im.lastLine = line.No
		if err := im.line(line); err != nil {
			return err
		}
	}
	if err := im.flushAll(); err != nil {
		return err
	}
	if im.incomplete > 0 {
		stats.Sample("incomplete", src.Path, im.firstIncomplete,
			fmt.Sprintf("%d audit event(s) lack records (split at the file boundary?); imported what was there", im.incomplete))
	}
	return nil
}

// group is the records of one kernel event (same node and audit(ts:serial)).
type group struct {
	key     string
	recs    []*Record
	raws    []string
	offset  int64
	line    int64
	last    int // sequence number of its latest record
	bytes   int
	flushed bool
}

type run struct {
	src   *importers.Source
	opts  importers.Options
	stats *importers.Stats
	emit  importers.Emit

	open  map[string]*group
	order []*group // open groups, oldest first
	seq   int

	host, hostNote string
	hostDone       bool

	lastLine        int64
	incomplete      int
	firstIncomplete int64

	// names names the events that carry only a number (names.go).
	names namer
}

func (im *run) line(l importers.Line) error {
	if l.Truncated {
		im.stats.Truncated++
	}
	if len(bytes.TrimSpace(l.Bytes)) == 0 {
		return nil
	}
	raw := string(l.Bytes)
	r, err := ParseRecord(raw)
	if err != nil {
		im.stats.AddMalformed(im.src.Path, l.No, err.Error())
		return nil
	}
	im.seq++
	if r.HasMsg {
		// User-space records (sshd, PAM) are whole events by themselves.
		if err := im.user(&r, raw, l); err != nil {
			return err
		}
	} else if err := im.kernel(&r, raw, l); err != nil {
		return err
	}
	return im.expire()
}

func (im *run) user(r *Record, raw string, l importers.Line) error {
	ev := &schema.Event{}
	if !userEvent(ev, r) {
		im.stats.AddIgnored(im.src.Path, l.No)
		return nil
	}
	im.stamp(ev, r, raw, l.Offset, l.No)
	ev.Message = raw
	if r.Type == "USER_CMD" {
		im.names.learnEnriched(r)
		return im.queue(ev, r.Node, r.Outer("uid") == r.Outer("auid"), false)
	}
	im.names.learnUser(r, ev)
	im.names.logon(r, ev)
	return im.queue(ev, r.Node, true, true)
}

func (im *run) kernel(r *Record, raw string, l importers.Line) error {
	im.names.learnKernel(r)
	key := r.Node + "\x00" + r.Stamp
	g := im.open[key]
	if g != nil && (len(g.recs) >= maxGroupRecords || g.bytes+len(raw) > maxGroupBytes) {
		if err := im.flush(g); err != nil {
			return err
		}
		g = nil
	}
	if g == nil {
		g = &group{key: key, offset: l.Offset, line: l.No}
		im.open[key] = g
		im.order = append(im.order, g)
	}
	g.last = im.seq
	if r.Type == "EOE" {
		return im.flush(g)
	}
	g.recs = append(g.recs, r)
	g.raws = append(g.raws, raw)
	g.bytes += len(raw)
	return nil
}

// expire flushes the events whose last record is more than Window records
// old, and drops flushed ones from the open list (oldest first, so events
// come out roughly in file order).
func (im *run) expire() error {
	keep := im.order[:0]
	for _, g := range im.order {
		if !g.flushed && im.seq-g.last > Window {
			if err := im.flush(g); err != nil {
				return err
			}
		}
		if !g.flushed {
			keep = append(keep, g)
		}
	}
	clear(im.order[len(keep):])
	im.order = keep
	return nil
}

func (im *run) flushAll() error {
	for _, g := range im.order {
		if !g.flushed {
			if err := im.flush(g); err != nil {
				return err
			}
		}
	}
	im.order = nil
	return im.names.release(true, im.send)
}

func (im *run) flush(g *group) error {
	g.flushed = true
	delete(im.open, g.key)
	if len(g.recs) == 0 {
		return nil // a lone EOE
	}
	ev := &schema.Event{}
	remoteUser, ok, incomplete := processEvent(ev, g.recs)
	if !ok {
		im.stats.AddIgnored(im.src.Path, g.line)
		im.stats.Ignored += len(g.recs) - 1
		return nil
	}
	im.stamp(ev, g.recs[0], g.raws[0], g.offset, g.line)
	if incomplete {
		if im.incomplete == 0 {
			im.firstIncomplete = g.line
		}
		im.incomplete++
	}
	var msg strings.Builder
	msg.WriteString(ev.Command)
	if remoteUser != "" {
		msg.WriteString("\nremote_user=" + remoteUser)
	}
	for _, raw := range g.raws {
		if msg.Len() > 0 {
			msg.WriteByte('\n')
		}
		msg.WriteString(raw)
	}
	ev.Message = msg.String()
	return im.queue(ev, g.recs[0].Node, true, false)
}

// queue sends ev, or holds it until a record names its account (names.go).
func (im *run) queue(ev *schema.Event, node string, sesOK, pidOK bool) error {
	if im.names.hold(ev, node, sesOK, pidOK) {
		return im.send(ev)
	}
	return im.names.release(false, im.send)
}

// stamp sets where an event came from: the id is EventID(identity, offset
// of the event's first record, that record's raw text).
func (im *run) stamp(ev *schema.Event, r *Record, raw string, offset, line int64) {
	ev.ID = schema.EventID(im.src.Identity, offset, raw)
	ev.TS = r.TS
	ev.TSRaw = r.Stamp
	ev.Format = schema.FormatAuditd
	ev.File = im.src.Path
	ev.Line = line
	ev.Host = im.hostOf(r)
}

func (im *run) send(ev *schema.Event) error {
	im.stats.Counted(schema.FormatAuditd)
	if err := im.emit(ev); err != nil {
		return fmt.Errorf("auditd %s:%d: %w", im.src.Path, ev.Line, err)
	}
	return nil
}

// hostOf is node= when the record has it, else what importers.HostFor
// decides (--host, the folder, a file name that is a host name): the first
// word of a file name (go-libaudit-audit-rhel6.log) is no host. Which rule
// applied is noted once.
func (im *run) hostOf(r *Record) string {
	if r.Node != "" {
		im.stats.Assume("auditd: host from node= field")
		return r.Node
	}
	if !im.hostDone {
		im.hostDone = true
		h, rule := importers.HostFor(im.src.Path, im.opts.Host)
		im.host, im.hostNote = h, "auditd: "+rule
	}
	im.stats.Assume(im.hostNote)
	return im.host
}
