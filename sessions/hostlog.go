package sessions

import (
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// hostKey identifies an sshd process in one source of one host.
type hostKey struct {
	format, host string
	pid          int
}

type sesKey struct{ host, ses string }

// hostBuilder rebuilds sessions from sshd lines (auth log, journald,
// unified, auditd). Events arrive in import order, which is file order:
// each (format, host, pid) stream is in time order even when files are not.
type hostBuilder struct {
	opts  Options
	cur   map[hostKey]*sess    // the session a pid is in now
	bySes map[sesKey]*sess     // auditd login session id -> session
	live  map[string][]*sess   // host -> sessions not yet emitted
	now   map[string]time.Time // format+host -> latest time seen
	emit  func(*sess)
	n     int
}

func newHostBuilder(opts Options, emit func(*sess)) *hostBuilder {
	return &hostBuilder{
		opts: opts, emit: emit,
		cur: map[hostKey]*sess{}, bySes: map[sesKey]*sess{},
		live: map[string][]*sess{}, now: map[string]time.Time{},
	}
}

// startsAttempt: lines that begin (or continue) an authentication, so they
// can tell that a pid was reused.
func startsAttempt(action string) bool {
	switch action {
	case schema.ActionConnection, schema.ActionAuthFailure, schema.ActionInvalidUser,
		schema.ActionAuthSuccess, schema.ActionAuthPartial:
		return true
	}
	return false
}

func (b *hostBuilder) add(ev *schema.Event) {
	if nk := ev.Format + "\x00" + ev.Host; ev.TS.After(b.now[nk]) {
		b.now[nk] = ev.TS
	}
	if b.n++; b.n%4096 == 0 {
		b.sweep()
	}
	if !sshdProgram(ev.Program) {
		// sudo, su, logind...: commands join the login they ran in; the
		// rest (sudo's own pam sessions) is not part of an SSH session.
		if ev.Action == schema.ActionCommand || ev.Action == schema.ActionProcess {
			if s := b.commandSession(ev); s != nil {
				b.apply(s, ev)
			}
		}
		return
	}
	if ev.Action == schema.ActionProcess || ev.Action == schema.ActionCommand && ev.PID == 0 {
		if s := b.commandSession(ev); s != nil {
			b.apply(s, ev)
		}
		return
	}
	if ev.PID == 0 && ev.Ses != "" {
		if s := b.bySes[sesKey{ev.Host, ev.Ses}]; s != nil {
			b.apply(s, ev)
			return
		}
	}
	if ev.PID == 0 && ev.SrcIP == "" && ev.User == "" {
		return // nothing to key or show it by (e.g. "Server listening")
	}
	k := hostKey{ev.Format, ev.Host, ev.PID}
	s := b.cur[k]
	if s != nil && b.reused(s, ev) {
		s = nil
	}
	if s == nil && mayBeSibling(ev) {
		// OpenSSH privilege separation logs the session and the disconnect
		// from other pids than the Accepted line: join by host, user,
		// address and time.
		if s = b.sibling(ev); s != nil {
			b.cur[k] = s
			s.keys = append(s.keys, k)
		}
	}
	if s == nil {
		if ev.SrcIP == "" && ev.User == "" || ev.Action == schema.ActionOther {
			return // a line of no session, e.g. a privsep child's key exchange
		}
		s = &sess{Kind: kindHost, Format: ev.Format, PID: ev.PID}
		s.S.Host = ev.Host
		s.keys = []hostKey{k}
		b.cur[k] = s
		b.live[ev.Host] = append(b.live[ev.Host], s)
	}
	b.apply(s, ev)
}

// reused says whether ev on s's pid belongs to a new connection.
func (b *hostBuilder) reused(s *sess, ev *schema.Event) bool {
	if !startsAttempt(ev.Action) {
		return s.Closed && ev.TS.Sub(s.Last) > b.opts.GapSplit
	}
	switch {
	case s.Closed:
		return true
	case ev.SrcIP != "" && s.S.SrcIP != "" && ev.SrcIP != s.S.SrcIP:
		return true
	case ev.SrcPort != 0 && s.S.SrcPort != 0 && ev.SrcPort != s.S.SrcPort:
		return true
	case ev.Action == schema.ActionConnection && len(s.S.Events) > 0:
		return true
	case ev.Action == schema.ActionAuthSuccess && s.Accepted:
		return true
	case !s.Accepted && !s.Last.IsZero() && ev.TS.Sub(s.Last) > b.opts.GapSplit:
		return true
	}
	return false
}

// maxPidGap bounds how far a privsep child's pid is from its monitor's
// (children fork right after the login, a few pids later).
const maxPidGap = 1000

// mayBeSibling: lines a privsep child or the monitor logs after the login.
func mayBeSibling(ev *schema.Event) bool {
	switch ev.Action {
	case schema.ActionSessionOpen, schema.ActionSessionClose, schema.ActionOther, schema.ActionCommand:
		return true
	case schema.ActionDisconnect:
		return ev.Outcome != schema.OutcomeFailure
	}
	return false
}

// sibling finds the session a line from an unknown pid belongs to: same
// host and source, compatible user and address, open or closed moments ago.
// Among several, the nearest lower pid wins (privsep children fork later).
func (b *hostBuilder) sibling(ev *schema.Event) *sess {
	var best *sess
	for _, s := range b.live[ev.Host] {
		if s.Format != ev.Format {
			continue
		}
		if s.Closed && ev.TS.Sub(s.S.End) > 10*time.Second {
			continue
		}
		if ev.User != "" && s.S.User != "" && ev.User != s.S.User {
			continue
		}
		if ev.SrcIP != "" && s.S.SrcIP != "" && ev.SrcIP != s.S.SrcIP {
			continue
		}
		if ev.User == "" && ev.SrcIP == "" {
			continue
		}
		if !s.Accepted {
			continue
		}
		if d := ev.PID - s.PID; ev.PID != 0 && s.PID != 0 && (d > maxPidGap || d < -maxPidGap) {
			continue // another sshd altogether, not a child of this one
		}
		if best == nil || closer(ev.PID, s.PID, best.PID) {
			best = s
		}
	}
	return best
}

// closer: is pid a a better parent than b for child pid c?
func closer(c, a, b int) bool {
	da, db := c-a, c-b
	if (da >= 0) != (db >= 0) {
		return da >= 0
	}
	if da < 0 {
		da, db = -da, -db
	}
	return da < db
}

// commandSession finds the login a sudo/su line or an audited process ran
// in: its audit session, else the open login of that user on that tty,
// else the latest open login of that user on the host.
func (b *hostBuilder) commandSession(ev *schema.Event) *sess {
	if ev.Ses != "" {
		if s := b.bySes[sesKey{ev.Host, ev.Ses}]; s != nil {
			return s
		}
	}
	// Several logins of one user: the latest one that is on this tty or
	// whose tty is still unknown (a tty is reused after its login ends, so
	// an older login on the same tty is likely stale), else the latest.
	// The login's own source first: auth log sudo lines to auth log
	// sessions, journald's to journald's (the join merges them later).
	if s := b.commandIn(ev, true); s != nil {
		return s
	}
	return b.commandIn(ev, false)
}

func (b *hostBuilder) commandIn(ev *schema.Event, sameFormat bool) *sess {
	var best, fit *sess
	for _, s := range b.live[ev.Host] {
		if !s.Accepted || s.Closed || s.S.User != ev.User || ev.User == "" || sameFormat && s.Format != ev.Format {
			continue
		}
		if ev.TS.Before(s.S.Start) {
			continue
		}
		if ev.TTY != "" && (s.TTY == "" || s.TTY == ev.TTY) && (fit == nil || s.S.Start.After(fit.S.Start)) {
			fit = s
		}
		if best == nil || s.S.Start.After(best.S.Start) {
			best = s
		}
	}
	if fit != nil {
		return fit
	}
	return best
}

// sshdProgram: programs whose lines form sessions by pid. Records without a
// program (auditd, some journald records) are sshd's.
func sshdProgram(p string) bool {
	switch p {
	case "", "sshd", "sshd-session", "sshd-auth":
		return true
	}
	return false
}

func (b *hostBuilder) apply(s *sess, ev *schema.Event) {
	s.addEvent(ev)
	switch ev.Action {
	case schema.ActionConnection, schema.ActionAuthSuccess, schema.ActionAuthFailure, schema.ActionInvalidUser,
		schema.ActionAuthPartial, schema.ActionSessionOpen:
		s.Began = true
	}
	if ev.Ses != "" {
		s.Ses = ev.Ses
		b.bySes[sesKey{ev.Host, ev.Ses}] = s
	}
	if s.S.SrcIP == "" && ev.SrcIP != "" && ev.Action != schema.ActionCommand && ev.Action != schema.ActionProcess {
		s.S.SrcIP, s.S.SrcPort = ev.SrcIP, ev.SrcPort
	}
	if s.S.SrcPort == 0 && ev.SrcIP == s.S.SrcIP {
		s.S.SrcPort = ev.SrcPort
	}
	if s.S.DstIP == "" && ev.DstIP != "" && ev.Action != schema.ActionProcess {
		s.S.DstIP = ev.DstIP
	}
	if s.S.User == "" && ev.User != "" {
		s.S.User = ev.User
	}
	if s.TTY == "" && ev.TTY != "" && ev.TTY != "ssh" {
		s.TTY = ev.TTY
	}
	switch ev.Action {
	case schema.ActionAuthFailure:
		if !s.Accepted {
			s.NFail++
		}
	case schema.ActionInvalidUser:
		if !s.Accepted {
			s.NInvalid++
		}
	case schema.ActionPAM:
		if ev.Outcome == schema.OutcomeFailure && !s.Accepted {
			s.PreFail = true
			if ev.Format == schema.FormatAuditd && ev.Method != "none" {
				s.NAudit++
			}
		}
	case schema.ActionAuthSuccess:
		s.Accepted = true
		s.S.User = ev.User
		s.S.Method, s.S.KeyFP = ev.Method, ev.KeyFP
		if ev.SrcIP != "" {
			s.S.SrcIP, s.S.SrcPort = ev.SrcIP, ev.SrcPort
		}
	case schema.ActionSessionOpen:
		if ev.Outcome == schema.OutcomeFailure { // a failed session start
			s.PreFail = true
		} else {
			s.Accepted = true
		}
	case schema.ActionSessionClose:
		if ev.Outcome != schema.OutcomeFailure {
			s.Accepted = true // a closing login proves one, even if it began before the log
		}
		s.Closed = true
		if ev.TS.After(s.S.End) {
			s.S.End = ev.TS
		}
	case schema.ActionDisconnect:
		s.Closed = true
		if ev.TS.After(s.S.End) {
			s.S.End = ev.TS
		}
		if !s.Accepted && ev.Outcome == schema.OutcomeFailure {
			s.PreFail = true
		}
		if ev.Outcome == schema.OutcomeSuccess && len(s.S.Events) == 1 {
			s.Accepted = true // a post-auth disconnect of a login that began before the log
		}
	case schema.ActionCommand, schema.ActionProcess:
		if ev.Action == schema.ActionCommand && ev.PID != 0 && sshdProgram(ev.Program) {
			s.Accepted = true // sshd serves requests only after a login
		}
		c := ev.Command
		if c == "" {
			c = ev.Message
		}
		if c != "" {
			s.S.Commands = append(s.S.Commands, c)
		}
	}
}

// sweep emits sessions that can take no more lines: closed a while ago, or
// never logged in and idle past the gap. Open logins stay (their sudo lines
// and closes are still to come), so memory follows open sessions.
func (b *hostBuilder) sweep() {
	for host, list := range b.live {
		keep := list[:0]
		for _, s := range list {
			now := b.now[s.Format+"\x00"+host]
			idle := now.Sub(s.Last)
			if (s.Closed && idle > 5*time.Minute) || (!s.Accepted && idle > b.opts.GapSplit) {
				b.drop(s)
				continue
			}
			keep = append(keep, s)
		}
		if len(keep) == 0 {
			delete(b.live, host)
		} else {
			b.live[host] = keep
		}
	}
}

func (b *hostBuilder) drop(s *sess) {
	for _, k := range s.keys {
		if b.cur[k] == s {
			delete(b.cur, k)
		}
	}
	if s.Ses != "" && b.bySes[sesKey{s.S.Host, s.Ses}] == s {
		delete(b.bySes, sesKey{s.S.Host, s.Ses})
	}
	s.finish()
	b.emit(s)
}

// flush emits everything still held (the end of the data).
func (b *hostBuilder) flush() {
	for host, list := range b.live {
		for _, s := range list {
			s.finish()
			b.emit(s)
		}
		delete(b.live, host)
	}
	b.cur = map[hostKey]*sess{}
	b.bySes = map[sesKey]*sess{}
}
