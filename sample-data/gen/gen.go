// Package gen writes realistic multi-host SSH log data, in every format
// sshtrail imports, with planted attacks: for benchmarks and for trying
// the tool at size. Output is deterministic for a seed and streamed through
// buffered writers, so memory stays constant whatever the size.
package gen

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Formats Write can produce (Options.Formats).
const (
	FormatAuthLog = "authlog" // Debian auth.log, RFC 3164
	FormatSecure  = "secure"  // RHEL secure, rsyslog ISO 8601
	FormatJournal = "journal" // journalctl -o json
	FormatUnified = "unified" // macOS log show --style ndjson
	FormatAuditd  = "auditd"  // audit.log
	FormatZeek    = "zeek"    // ssh.log, conn.log (TSV), conn.json, notice.log
)

// AllFormats is every format, in the order hosts fall back through them.
var AllFormats = []string{FormatAuthLog, FormatSecure, FormatJournal, FormatUnified, FormatAuditd, FormatZeek}

// Options tune Write. Zero values take defaults.
type Options struct {
	Events  int       // about this many importer events in total (default 100000)
	Seed    int64     // same seed, same bytes
	Hosts   int       // hosts with logs (default 20, at least 5)
	Start   time.Time // first record (default 2026-03-01 00:00 UTC)
	Formats []string  // nil = all
}

// Summary says what Write wrote.
type Summary struct {
	Files  map[string]int // file name (slash-separated, relative to dir) -> lines
	Events int            // events the importers make of them (ignored lines excluded)
}

// DefaultStart is the first record's time when Options.Start is zero.
var DefaultStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// eventsPerActivity is the measured mean number of events one background
// activity produces with every format on; it sets the clock's pace.
const eventsPerActivity = 9

// maxSpan keeps any data set within a few months, so RFC 3164 years
// (inferred from the file time) stay right.
const maxSpan = 60 * 24 * time.Hour

func newSim(seed int64, nHosts int, start time.Time, activities int) *sim {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed5eed))
	startUS := start.UnixMicro()
	hosts, users := newWorld(r, nHosts, startUS)
	gap := 20e6
	if activities > 0 {
		gap = math.Min(gap, float64(maxSpan.Microseconds())/float64(activities))
	}
	return &sim{r: r, now: startUS, gapUS: gap, hosts: hosts, users: users, msg: make([]byte, 0, 512)}
}

// Write writes a multi-host data set under dir: one folder per host with
// its logs, zeek-core01/ (ssh.log, conn.log) and zeek-dmz01/ (conn.json,
// notice.log). See plant.go for the planted intrusion.
func Write(dir string, opts Options) (Summary, error) {
	if opts.Events <= 0 {
		opts.Events = 100000
	}
	if opts.Hosts <= 0 {
		opts.Hosts = 20
	}
	opts.Hosts = max(opts.Hosts, minHosts)
	if opts.Start.IsZero() {
		opts.Start = DefaultStart
	}
	want := map[string]bool{}
	if opts.Formats == nil {
		opts.Formats = AllFormats
	}
	for _, f := range opts.Formats {
		known := false
		for _, k := range AllFormats {
			known = known || k == f
		}
		if !known {
			return Summary{}, fmt.Errorf("gen: unknown format %q (known: %v)", f, AllFormats)
		}
		want[f] = true
	}
	activities := opts.Events / eventsPerActivity
	s := newSim(opts.Seed, opts.Hosts, opts.Start, activities)
	var outs []*out
	total := 0
	create := func(name string) (*out, error) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		f, err := os.Create(p)
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		o := newOut(name, f, 0)
		o.total = &total
		outs = append(outs, o)
		return o, nil
	}
	closeAll := func() {
		for _, o := range outs {
			o.close()
		}
	}
	kindFormat := map[logKind]string{kindAuthLog: FormatAuthLog, kindSecure: FormatSecure, kindJournal: FormatJournal, kindUnified: FormatUnified}
	fallback := kindNone
	for _, k := range []logKind{kindAuthLog, kindSecure, kindJournal, kindUnified} {
		if want[kindFormat[k]] {
			fallback = k
			break
		}
	}
	for i, h := range s.hosts {
		if !want[kindFormat[h.kind]] {
			h.kind = fallback
			h.server = servers[h.kind]
		}
		var err error
		var o *out
		switch h.kind {
		case kindAuthLog:
			o, err = create(h.name + "/auth.log")
			h.log = &syslogLog{o: o}
		case kindSecure:
			o, err = create(h.name + "/secure")
			h.log = &syslogLog{o: o, iso: true}
		case kindJournal:
			o, err = create(h.name + "/journal.json")
			h.log = &journalLog{o: o, boot: randString(s.r, "0123456789abcdef", 32), up: h.bootUS}
		case kindUnified:
			o, err = create(h.name + "/" + h.name + "-sshd.ndjson")
			if err == nil {
				o.write([]byte(unifiedBanner), false)
			}
			h.log = &unifiedLog{o: o}
		}
		if err != nil {
			closeAll()
			return Summary{}, err
		}
		if want[FormatAuditd] && (i == hBastion || i%3 == 2) && h.kind != kindUnified {
			o, err := create(h.name + "/audit.log")
			if err != nil {
				closeAll()
				return Summary{}, err
			}
			h.audit = &auditLog{o: o, serial: int64(1000 + s.r.IntN(90000))}
		}
	}
	if want[FormatZeek] {
		names := []string{"zeek-core01/ssh.log", "zeek-core01/conn.log", "zeek-dmz01/conn.json", "zeek-dmz01/notice.log"}
		zo := make([]*out, len(names))
		for i, n := range names {
			o, err := create(n)
			if err != nil {
				closeAll()
				return Summary{}, err
			}
			zo[i] = o
		}
		s.core = &zeekTSV{ssh: zo[0], conn: zo[1]}
		s.dmz = &zeekDMZ{conn: zo[2], notice: zo[3]}
		zeekHeader(zo[0], "ssh", sshFields, opts.Start)
		zeekHeader(zo[1], "conn", connFields, opts.Start)
		zeekHeader(zo[3], "notice", noticeFields, opts.Start)
	}

	// The intrusion goes in at 60% of the expected time span, and makes
	// about 300 events that the background leaves room for.
	plantAt := s.now + int64(0.6*float64(activities)*s.gapUS)
	reserve := min(300, opts.Events/2)
	for total < opts.Events-reserve {
		s.step()
		if !s.planted && s.now >= plantAt {
			s.plant(s.now)
		}
	}
	if !s.planted {
		s.plant(s.now + 60e6)
	}
	s.runUntil(math.MaxInt64)
	end := time.UnixMicro(max(s.now, s.last) + 1e6).UTC()
	if s.core != nil {
		zeekClose(s.core.ssh, end)
		zeekClose(s.core.conn, end)
		zeekClose(s.dmz.notice, end)
	}
	sum := Summary{Files: map[string]int{}}
	var firstErr error
	// Files are dated just after their last line: RFC 3164 importers take
	// the year from the file time.
	mtime := end.Add(time.Hour)
	for _, o := range outs {
		if err := o.close(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("gen: %s: %w", o.name, err)
		}
		os.Chtimes(filepath.Join(dir, filepath.FromSlash(o.name)), mtime, mtime)
		sum.Files[o.name] = o.lines
		sum.Events += o.events
	}
	return sum, firstErr
}

// FileNames returns the summary's file names, sorted.
func (s Summary) FileNames() []string {
	names := make([]string, 0, len(s.Files))
	for n := range s.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WriteAuthLog writes exactly n lines of a Debian auth.log as a central
// syslog server collects it from 20 hosts (RFC 3164, no year: date the file
// just after its last line, or import with --year). The planted brute force,
// hops and postgres logon come at 60% of the lines.
func WriteAuthLog(w io.Writer, n int, seed int64, start time.Time) error {
	if start.IsZero() {
		start = DefaultStart
	}
	s := newSim(seed, 20, start, n/7)
	o := newOut("auth.log", w, n)
	for _, h := range s.hosts {
		h.kind = kindAuthLog
		h.log = &syslogLog{o: o}
	}
	for !o.full() && o.err == nil && n > 0 {
		s.step()
		if !s.planted && o.lines >= n*6/10 {
			s.plant(s.now)
		}
	}
	s.q = s.q[:0]
	if err := o.close(); err != nil {
		return fmt.Errorf("gen: auth.log: %w", err)
	}
	return nil
}

// WriteConnTSV writes a Zeek conn.log (TSV, full header and #close) with
// exactly n records: the estate's SSH connections, other internal traffic
// and the planted RDP tunnel.
func WriteConnTSV(w io.Writer, n int, seed int64, start time.Time) error {
	if start.IsZero() {
		start = DefaultStart
	}
	s := newSim(seed, 20, start, n/2)
	o := newOut("conn.log", w, zeekHeaderLines+n)
	s.core = &zeekTSV{ssh: newOut("ssh.log", io.Discard, 0), conn: o}
	zeekHeader(o, "conn", connFields, start)
	for o.lines < zeekHeaderLines+n && o.err == nil {
		s.step()
		if !s.planted && o.lines-zeekHeaderLines >= n*6/10 {
			s.plant(s.now)
		}
	}
	s.q = s.q[:0]
	zeekClose(o, time.UnixMicro(s.now).UTC())
	if err := o.close(); err != nil {
		return fmt.Errorf("gen: conn.log: %w", err)
	}
	return nil
}
