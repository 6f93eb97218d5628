package sessions

import (
	"sort"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// builder turns a stream of events into per-source sessions. Feed it with
// Add (in import order, as Store.Scan gives them) and call finish.
// Memory: the sessions still open, the Zeek halves waiting for their other
// half, and the finished sessions themselves (compact; no events).
type builder struct {
	opts    Options
	host    *hostBuilder
	zeek    *zeekBuilder
	out     []*sess
	clients []client
	// spill, when set, takes each finished session out of memory whole,
	// leaving its compact record in lout (Rebuild); Build keeps them.
	spill *spill
	// syms and lout: with a spill, the compact records link decides by
	// (clink.go) instead of out.
	syms *symtab
	lout []*lsess
}

// client is an ssh/scp/sftp process run on a host (auditd EXECVE): the
// client side of a session on another host.
type client struct {
	Host, User, Ses, TTY string
	DstHost, DstIP       string
	TS                   time.Time
	EventID              string
	in                   *sess // the login it ran in, when known
}

// newBuilder starts a builder.
func newBuilder(opts Options) *builder {
	b := &builder{opts: opts.withDefaults(), syms: newSymtab()}
	emit := func(s *sess) {
		s.keys = nil // only the building needed them
		if b.spill != nil {
			s.lk = b.spill.putL(b.syms, s)
			b.lout = append(b.lout, s.lk)
			return
		}
		b.out = append(b.out, s)
	}
	b.host = newHostBuilder(b.opts, emit)
	b.zeek = newZeekBuilder(emit)
	return b
}

// Add feeds one event (exported for clarity; the type is internal).
func (b *builder) Add(ev *schema.Event) {
	switch ev.Format {
	case schema.FormatZeekSSH, schema.FormatZeekConn:
		b.zeek.add(ev)
	case schema.FormatZeekNotice:
	default:
		if ev.Action == schema.ActionProcess && isSSHClient(ev) {
			b.addClient(ev)
		}
		b.host.add(ev)
	}
}

// addClient records an ssh client process; the login it ran in is looked
// up now when its host is being built, else at link time.
func (b *builder) addClient(ev *schema.Event) {
	b.clients = append(b.clients, client{Host: ev.Host, User: ev.User, Ses: ev.Ses, TTY: ev.TTY,
		DstHost: ev.DstHost, DstIP: ev.DstIP, TS: ev.TS, EventID: ev.ID,
		in: b.host.commandSession(ev)})
}

// isSSHClient: a process event that names where it connects to.
func isSSHClient(ev *schema.Event) bool {
	return ev.DstHost != "" || ev.DstIP != ""
}

// finish ends the stream and returns the per-source sessions, before any
// cross-source join.
func (b *builder) finish() []*sess {
	b.host.flush()
	b.zeek.flush()
	sort.SliceStable(b.out, func(i, j int) bool { return less(b.out[i], b.out[j]) })
	sort.SliceStable(b.lout, func(i, j int) bool { return lless(b.lout[i], b.lout[j]) })
	return b.out
}

func less(a, b *sess) bool {
	if !a.S.Start.Equal(b.S.Start) {
		return a.S.Start.Before(b.S.Start)
	}
	return a.S.SID < b.S.SID
}

// Build runs the whole correlation over events in memory and returns the
// sessions, joined and linked. Rebuild does the same over a Store.
func Build(events []*schema.Event, opts Options) []schema.Session {
	b := newBuilder(opts)
	for _, ev := range events {
		b.Add(ev)
	}
	l := link(b.finish(), b.clients, b.opts)
	return l.sessions()
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// dstName strips a user@ prefix from an ssh destination.
func dstName(h string) string {
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		return h[i+1:]
	}
	return h
}
