package sshd

import (
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// PIDSources carries an sshd process's client address to its later lines
// that do not repeat it ("Disconnecting: Too many authentication failures",
// "kex_exchange_identification: ...", "fatal: Read from socket failed",
// pam_unix session lines). One sshd process (host, pid) serves one
// connection, so the address of its "Connection from" or first attempt is the
// address of the rest. To keep a reused pid from lending an old address, an
// address is only lent within Window of the line that gave it.
//
// Importers that read sshd lines in order (auth logs, journald) use one
// PIDSources per file. The zero value is ready.
type PIDSources struct {
	m map[pidKey]pidSrc
	// conns holds what each connection (host, client address and port)
	// did: after login, OpenSSH's privsep child logs the disconnect under
	// its own pid, so the pid alone does not carry the login to it.
	conns map[connKey]connState
}

type connKey struct {
	host, ip string
	port     int
}

type connState struct {
	authed, failed bool
	at             time.Time
	// open counts logins from this address not yet seen to end (kept
	// under port 0): old OpenSSH's child logs "Received disconnect from A:
	// 11: disconnected by user" with neither the monitor's pid nor a port.
	open int
}

// Window is how long an sshd process's address is lent to its later lines:
// longer than LoginGraceTime (2 min) for pre-auth lines, and long enough for
// the session lines that follow a login.
const Window = 10 * time.Minute

// maxPIDs bounds the memory of a file with millions of connections.
const maxPIDs = 1 << 16

type pidKey struct {
	host string
	pid  int
}

type pidSrc struct {
	ip   string
	port int
	at   time.Time
	// What the connection did so far: a disconnect the line alone cannot
	// judge is a success only when it logged in, a failure when it only
	// failed (DESIGN.md's disconnect row).
	authed, failed bool
}

// Fill records ev's address, or lends the remembered one when ev has none,
// and judges a disconnect of unknown outcome by the connection's history.
// It only touches sshd-family events with a pid.
func (p *PIDSources) Fill(ev *schema.Event) {
	if ev.PID == 0 || !KeepUnknown(ev.Program) {
		return
	}
	k := pidKey{ev.Host, ev.PID}
	s, ok := p.m[k]
	if ok {
		if d := ev.TS.Sub(s.at); d < -time.Minute || d > Window {
			s, ok = pidSrc{}, false // a reused pid: another connection
		}
	}
	switch {
	case ev.SrcIP == "" && ok:
		ev.SrcIP, ev.SrcPort = s.ip, s.port
	case ev.SrcIP != "":
		switch {
		case ok && s.ip == "":
			// The process's earlier lines had no address ("error:
			// kex_exchange_identification: ..."): this one gives it.
			s.ip, s.port = ev.SrcIP, ev.SrcPort
		case ok && s.ip == ev.SrcIP && ev.SrcPort == 0:
			// keep the port a "Connection from" gave
		case !ok || s.ip != ev.SrcIP || s.port != ev.SrcPort:
			s = pidSrc{ip: ev.SrcIP, port: ev.SrcPort}
		}
		s.at, ok = ev.TS, true
	case ev.Action == schema.ActionDisconnect && ev.Outcome == schema.OutcomeFailure:
		// A failure before the address is known (the listener's
		// kex_exchange_identification error): the close that names the
		// address next is this connection's.
		s, ok = pidSrc{at: ev.TS, failed: true}, true
	}
	if !ok {
		return
	}
	ck := connKey{ev.Host, s.ip, s.port}
	switch ev.Action {
	case schema.ActionConnection:
		if strings.HasPrefix(ev.Message, "Connection from ") {
			s.authed, s.failed = false, false // a new connection on this process
		}
	case schema.ActionAuthSuccess:
		s.authed = true
		p.note(ck, ev.TS, true, false)
		if s.ip != "" {
			a := p.conns[connKey{ev.Host, s.ip, 0}]
			a.open, a.at = a.open+1, ev.TS
			p.put(connKey{ev.Host, s.ip, 0}, a)
		}
	case schema.ActionAuthFailure, schema.ActionInvalidUser:
		s.failed = true
		p.note(ck, ev.TS, false, true)
	case schema.ActionDisconnect:
		if ev.Outcome == schema.OutcomeFailure {
			s.failed = true
		}
	}
	switch ev.Action {
	case schema.ActionDisconnect:
		if ev.Outcome == schema.OutcomeUnknown {
			c, ok := p.conns[ck]
			ok = ok && s.port != 0 && ev.TS.Sub(c.at) <= maxLogin
			byAddr := connKey{ev.Host, s.ip, 0}
			a := p.conns[byAddr]
			switch {
			case s.authed || ok && c.authed:
				ev.Outcome = schema.OutcomeSuccess
			case s.failed || ok && c.failed:
				ev.Outcome = schema.OutcomeFailure
			case s.port == 0 && a.open > 0 && ev.TS.Sub(a.at) <= maxLogin:
				ev.Outcome = schema.OutcomeSuccess
				a.open--
				p.conns[byAddr] = a
			}
		}
	}
	if p.m == nil || len(p.m) >= maxPIDs {
		p.m = make(map[pidKey]pidSrc, 1024)
	}
	p.m[k] = s
}

// maxLogin is how long a connection's login vouches for a disconnect that
// names the same client address and port: a logon can last days, and a
// client port is not reused by the same client while its connection is up.
const maxLogin = 30 * 24 * time.Hour

func (p *PIDSources) note(k connKey, at time.Time, authed, failed bool) {
	if k.port == 0 {
		return
	}
	c := p.conns[k]
	c.authed, c.failed, c.at = c.authed || authed, c.failed || failed, at
	p.put(k, c)
}

func (p *PIDSources) put(k connKey, c connState) {
	if p.conns == nil || len(p.conns) >= maxPIDs {
		p.conns = make(map[connKey]connState, 1024)
	}
	p.conns[k] = c
}
