package gen

import (
	"container/heap"
	"math/rand/v2"
)

// sim drives the estate through time: activities start in time order, and
// what they do later (sudo, a hop, the logout) waits in a queue ordered by
// time, so every file comes out in time order and memory holds only the
// sessions open at once.
type sim struct {
	r       *rand.Rand
	now     int64 // µs
	gapUS   float64
	hosts   []*host
	users   []*user
	core    *zeekTSV // internal sensor: ssh.log, conn.log
	dmz     *zeekDMZ // border sensor: conn.json, notice.log
	q       queue
	seq     uint64
	msg     []byte
	argv    []string
	uidBuf  []byte
	planted bool
	last    int64 // latest queued time done
}

type zeekTSV struct{ ssh, conn *out }
type zeekDMZ struct{ conn, notice *out }

type session struct {
	h        *host
	u        *user
	src      uint32
	sport    int
	pid      int
	ses      int // audit session
	logind   int
	method   string
	start    int64
	end      int64
	external bool
}

type later struct {
	at   int64
	seq  uint64
	kind uint8
	s    *session
	n    int
}

const (
	laterClose uint8 = iota
	laterSudo
	laterHop
	laterFail  // one failed password: s.h, s.src, s.u.name; n = 1 for an invalid user
	laterPlant // stage n of the planted intrusion
	laterFailed
)

type queue []later

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(later)) }
func (q *queue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func (s *sim) after(at int64, kind uint8, se *session, n int) {
	s.seq++
	heap.Push(&s.q, later{at: at, seq: s.seq, kind: kind, s: se, n: n})
}

// runUntil does everything queued up to t.
func (s *sim) runUntil(t int64) {
	for len(s.q) > 0 && s.q[0].at <= t {
		l := heap.Pop(&s.q).(later)
		s.last = max(s.last, l.at)
		switch l.kind {
		case laterClose:
			s.logout(l.at, l.s)
		case laterSudo:
			s.sudo(l.at, l.s, l.n)
		case laterHop:
			s.hop(l.at, l.s, l.n)
		case laterFail:
			s.failure(l.at, l.s.h, l.s.src, l.s.u.name, l.n == 1)
		case laterFailed:
			s.failed(l.at, l.s, l.n == 1)
		case laterPlant:
			s.plantStage(l.at, l.s, l.n)
		}
	}
}

// step starts the next background activity.
func (s *sim) step() {
	s.now += int64(s.r.ExpFloat64()*s.gapUS) + 1
	s.runUntil(s.now)
	r := s.r
	switch p := r.IntN(100); {
	case p < 38:
		h := s.hosts[r.IntN(len(s.hosts))]
		u := s.users[r.IntN(len(s.users))]
		s.login(s.now, h, u, u.ws, "publickey", s.sessionLength())
	case p < 45:
		s.viaBastion(s.now)
	case p < 62:
		s.scan(s.now)
	default:
		s.noise(s.now, s.hosts[r.IntN(len(s.hosts))])
	}
}

func (s *sim) sessionLength() int64 {
	return int64(5e6 + s.r.ExpFloat64()*20*60e6)
}

// emit hands one line to h's log.
func (s *sim) emit(h *host, us int64, prog string, pid int, event bool) {
	if h.log == nil {
		return
	}
	if h.kind == kindSecure && (prog == "CRON" || prog == "systemd-logind") {
		return // RHEL logs these to /var/log/cron and messages, not secure
	}
	h.log.line(h, us, prog, pid, s.msg, event)
}

func (s *sim) m(parts ...string) {
	s.msg = s.msg[:0]
	for _, p := range parts {
		s.msg = append(s.msg, p...)
	}
}

func (s *sim) fromPort(src uint32, port int) {
	s.msg = append(s.msg, " from "...)
	s.msg = appendIP(s.msg, src)
	s.msg = append(s.msg, " port "...)
	s.msg = appendInt(s.msg, port)
}

func (s *sim) addrPort(src uint32, port int) {
	s.msg = append(s.msg, ' ')
	s.msg = appendIP(s.msg, src)
	s.msg = append(s.msg, " port "...)
	s.msg = appendInt(s.msg, port)
}

func (s *sim) port() int { return 32768 + s.r.IntN(28000) }

func (s *sim) zeekUID() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := append(s.uidBuf[:0], 'C')
	for i := 0; i < 17; i++ {
		b = append(b, alnum[s.r.IntN(len(alnum))])
	}
	s.uidBuf = b
	return string(b)
}

// login writes a successful logon now and queues its logout.
func (s *sim) login(at int64, h *host, u *user, src uint32, method string, length int64) *session {
	r := s.r
	se := &session{h: h, u: u, src: src, sport: s.port(), pid: h.nextPID(r), method: method, start: at, end: at + length}
	se.external = src>>24 != 10
	h.ses++
	h.logind++
	se.ses, se.logind = h.ses, h.logind
	if h.silent() {
		// Nothing to write on the host (WriteConnTSV): only the network sees it.
		s.network(se, length, "T", 1)
		s.after(se.end, laterClose, se, 0)
		return se
	}
	if method == "password" && h.audit != nil {
		h.audit.pam(h, at-400000, "USER_AUTH", "authentication", se, true)
	}
	s.m("Accepted ", method, " for ", u.name)
	s.fromPort(src, se.sport)
	s.msg = append(s.msg, " ssh2"...)
	if method == "publickey" {
		s.msg = append(s.msg, ": "...)
		s.msg = append(s.msg, u.keyType...)
		s.msg = append(s.msg, ' ')
		s.msg = append(s.msg, u.keyFP...)
	}
	s.emit(h, at, "sshd", se.pid, true)
	s.msg = append(s.msg[:0], "pam_unix(sshd:session): session opened for user "...)
	s.msg = append(s.msg, u.name...)
	s.msg = append(s.msg, "(uid="...)
	s.msg = appendInt(s.msg, u.uid)
	s.msg = append(s.msg, ") by (uid=0)"...)
	s.emit(h, at+12000, "sshd", se.pid, true)
	s.msg = append(s.msg[:0], "New session "...)
	s.msg = appendInt(s.msg, se.logind)
	s.msg = append(s.msg, " of user "...)
	s.msg = append(s.msg, u.name...)
	s.msg = append(s.msg, '.')
	s.emit(h, at+30000, "systemd-logind", 412, true)
	if h.audit != nil {
		h.audit.pam(h, at+15000, "USER_START", "session_open", se, true)
	}
	s.network(se, length, "T", 1)
	if n := r.IntN(4); n > 0 && length > 60e6 {
		for i := 0; i < n; i++ {
			s.after(at+10e6+r.Int64N(length-20e6), laterSudo, se, r.IntN(len(sudoCommands)))
		}
	}
	s.after(se.end, laterClose, se, 0)
	return se
}

// network writes what the sensors see of an SSH connection.
func (s *sim) network(se *session, length int64, success string, attempts int) {
	r := s.r
	c := conn{us: se.start - 300000, orig: se.src, origPort: se.sport, resp: se.h.ip, respPort: 22, service: "ssh",
		durUS: length + 300000, state: "SF", localOrig: !se.external, history: "ShAdDaFf"}
	c.origPkts = 20 + r.IntN(400)
	c.respPkts = c.origPkts + r.IntN(40)
	c.origBytes = c.origPkts*70 + r.IntN(5000)
	c.respBytes = c.respPkts*300 + r.IntN(90000)
	if se.external {
		if s.dmz != nil {
			c.uid = s.zeekUID()
			writeConnJSON(s.dmz.conn, &c)
		}
		return
	}
	if s.core == nil {
		return
	}
	c.uid = s.zeekUID()
	writeConnTSV(s.core.conn, &c)
	client := clients[int(se.src)%len(clients)]
	writeSSHTSV(s.core.ssh, &sshRec{c: &c, success: success, attempts: attempts, client: client, server: se.h.server, hostKey: se.h.hostKey})
}

func (s *sim) logout(at int64, se *session) {
	h, u := se.h, se.u
	if h.silent() {
		return
	}
	s.m("Received disconnect")
	s.fromPort(se.src, se.sport)
	s.msg = append(s.msg, ":11: disconnected by user"...)
	s.emit(h, at, "sshd", se.pid, true)
	s.m("Disconnected from user ", u.name)
	s.addrPort(se.src, se.sport)
	s.emit(h, at, "sshd", se.pid, true)
	s.m("pam_unix(sshd:session): session closed for user ", u.name)
	s.emit(h, at+4000, "sshd", se.pid, true)
	if h.audit != nil {
		h.audit.pam(h, at+5000, "USER_END", "session_close", se, true)
	}
	s.msg = append(s.msg[:0], "Session "...)
	s.msg = appendInt(s.msg, se.logind)
	s.msg = append(s.msg, " logged out. Waiting for processes to exit."...)
	s.emit(h, at+6000, "systemd-logind", 412, false)
	s.msg = append(s.msg[:0], "Removed session "...)
	s.msg = appendInt(s.msg, se.logind)
	s.msg = append(s.msg, '.')
	s.emit(h, at+7000, "systemd-logind", 412, true)
}

func (s *sim) sudo(at int64, se *session, cmd int) {
	h, u := se.h, se.u
	pid := h.nextPID(s.r)
	s.m(u.name, " : TTY=pts/0 ; PWD=/home/", u.name, " ; USER=root ; COMMAND=", sudoCommands[cmd])
	s.emit(h, at, "sudo", pid, true)
	s.msg = append(s.msg[:0], "pam_unix(sudo:session): session opened for user root(uid=0) by "...)
	s.msg = append(s.msg, u.name...)
	s.msg = append(s.msg, "(uid="...)
	s.msg = appendInt(s.msg, u.uid)
	s.msg = append(s.msg, ')')
	s.emit(h, at+2000, "sudo", pid, true)
	s.m("pam_unix(sudo:session): session closed for user root")
	s.emit(h, at+900000, "sudo", pid, true)
}

// viaBastion: an admin logs into the bastion and from there into a server
// (a daily, legitimate one-hop path; the bastion's auditd records the ssh).
func (s *sim) viaBastion(at int64) {
	u := s.users[s.r.IntN(len(s.users))]
	length := 10*60e6 + s.r.Int64N(90*60e6)
	se := s.login(at, s.hosts[hBastion], u, u.ws, "publickey", int64(length))
	target := 1 + s.r.IntN(len(s.hosts)-1)
	s.after(at+30e6+s.r.Int64N(5*60e6), laterHop, se, target)
}

// hop runs ssh on se's host to hosts[target] and logs in there.
func (s *sim) hop(at int64, se *session, target int) {
	h, u := se.h, se.u
	t := s.hosts[target]
	if h.audit != nil {
		s.argv = append(s.argv[:0], "ssh", u.name+"@"+ipString(t.ip))
		h.audit.exec(h, at, h.nextPID(s.r), se.pid+2, se.ses, u, s.argv, true)
	}
	left := se.end - at - 30e6
	if left < 10e6 {
		left = 10e6
	}
	s.login(at+400000, t, u, h.ip, "publickey", 5e6+s.r.Int64N(left))
}

// scan is one burst of password guessing from the Internet.
func (s *sim) scan(at int64) {
	r := s.r
	n := scanNets[r.IntN(len(scanNets))]
	src := ip4(n[0], n[1], n[2], 1+r.IntN(254))
	h := s.hosts[r.IntN(len(s.hosts))]
	tries := 1 + r.IntN(6)
	for i := 0; i < tries; i++ {
		at += 800000 + r.Int64N(3e6)
		name := scanUsers[r.IntN(len(scanUsers))]
		if r.IntN(4) == 0 {
			name = "root"
		}
		s.queueFailure(at, h, src, name, name != "root")
	}
}

func (s *sim) queueFailure(at int64, h *host, src uint32, name string, invalid bool) {
	n := 0
	if invalid {
		n = 1
	}
	s.after(at, laterFail, &session{h: h, src: src, u: &user{name: name}}, n)
}

// failure is one failed password attempt on its own connection; the
// failure itself comes two seconds later (failed attempts are delayed).
func (s *sim) failure(at int64, h *host, src uint32, name string, invalid bool) {
	if h.silent() && s.dmz == nil {
		return
	}
	se := &session{h: h, src: src, u: &user{name: name}, pid: h.nextPID(s.r), sport: s.port(), start: at}
	if invalid {
		s.m("Invalid user ", name)
		s.fromPort(src, se.sport)
		s.emit(h, at, "sshd", se.pid, true)
		s.m("pam_unix(sshd:auth): check pass; user unknown")
		s.emit(h, at+600000, "sshd", se.pid, true)
		s.m("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=")
		s.msg = appendIP(s.msg, src)
		s.emit(h, at+600000, "sshd", se.pid, true)
	} else {
		s.m("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=")
		s.msg = appendIP(s.msg, src)
		s.msg = append(s.msg, "  user="...)
		s.msg = append(s.msg, name...)
		s.emit(h, at+600000, "sshd", se.pid, true)
	}
	n := 0
	if invalid {
		n = 1
	}
	s.after(at+2e6, laterFailed, se, n)
}

func (s *sim) failed(at int64, se *session, invalid bool) {
	h, name, src, pid, port := se.h, se.u.name, se.src, se.pid, se.sport
	if invalid {
		s.m("Failed password for invalid user ", name)
	} else {
		s.m("Failed password for ", name)
	}
	s.fromPort(src, port)
	s.msg = append(s.msg, " ssh2"...)
	s.emit(h, at, "sshd", pid, true)
	if h.audit != nil {
		acct := name
		if invalid {
			acct = "(invalid user)"
		}
		au := session{pid: pid, src: src, u: &user{name: acct}}
		h.audit.pam(h, at-1000, "USER_AUTH", "authentication", &au, false)
	}
	if invalid {
		s.m("Connection closed by invalid user ", name)
	} else {
		s.m("Connection closed by authenticating user ", name)
	}
	s.addrPort(src, port)
	s.msg = append(s.msg, " [preauth]"...)
	s.emit(h, at+300000, "sshd", pid, true)
	if s.dmz != nil {
		r := s.r
		c := conn{us: se.start - 200000, uid: s.zeekUID(), orig: src, origPort: port, resp: h.ip, respPort: 22, service: "ssh",
			durUS: 2600000, origBytes: 1400 + r.IntN(200), respBytes: 2100 + r.IntN(200), state: "SF", history: "ShAdDaFf", origPkts: 14, respPkts: 13}
		writeConnJSON(s.dmz.conn, &c)
	}
}

// noise is what else the auth facility carries: cron sessions, polkit.
func (s *sim) noise(at int64, h *host) {
	pid := h.nextPID(s.r)
	if s.core != nil && s.r.IntN(2) == 0 {
		s.otherTraffic(at)
	}
	if h.kind == kindSecure {
		s.m("Registered Authentication Agent for unix-process:", "")
		s.msg = appendInt(s.msg, pid+3)
		s.msg = append(s.msg, ":99812 (system bus name :1.4021 [/usr/bin/pkttyagent --notify-fd 5 --fallback], object path /org/freedesktop/PolicyKit1/AuthenticationAgent, locale en_US.UTF-8)"...)
		s.emit(h, at, "polkitd", 1042, false)
		s.msg = append(s.msg[:0], "Unregistered Authentication Agent for unix-process:"...)
		s.msg = appendInt(s.msg, pid+3)
		s.msg = append(s.msg, ":99812 (system bus name :1.4021, object path /org/freedesktop/PolicyKit1/AuthenticationAgent, locale en_US.UTF-8) (disconnected from bus)"...)
		s.emit(h, at+1200000, "polkitd", 1042, false)
		return
	}
	s.m("pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")
	s.emit(h, at, "CRON", pid, false)
	s.m("pam_unix(cron:session): session closed for user root")
	s.emit(h, at+1e6, "CRON", pid, false)
	// About a fifth of auth.log is lines sshtrail does not read.
	if s.r.IntN(5) < 3 {
		pid := h.nextPID(s.r)
		s.m("pam_unix(cron:session): session opened for user www-data(uid=33) by (uid=0)")
		s.emit(h, at+1100000, "CRON", pid, false)
		s.m("pam_unix(cron:session): session closed for user www-data")
		s.emit(h, at+1900000, "CRON", pid, false)
	}
	if h.audit != nil && s.r.IntN(2) == 0 {
		s.argv = append(s.argv[:0], "run-parts", "--report", "/etc/cron.hourly")
		h.audit.exec(h, at+200000, h.nextPID(s.r), pid, 0, &user{name: "root"}, s.argv, false)
	}
}

// otherServices is internal traffic that is not SSH, as a full conn.log has it.
var otherServices = []struct {
	port    int
	service string
}{{443, "ssl"}, {80, "http"}, {445, "smb"}, {5432, "postgresql"}, {3306, "mysql"}, {8080, "http"}, {636, "ssl"}, {9100, ""}}

func (s *sim) otherTraffic(at int64) {
	r := s.r
	u := s.users[r.IntN(len(s.users))]
	h := s.hosts[r.IntN(len(s.hosts))]
	svc := otherServices[r.IntN(len(otherServices))]
	c := conn{us: at, uid: s.zeekUID(), orig: u.ws, origPort: s.port(), resp: h.ip, respPort: svc.port, service: svc.service,
		durUS: r.Int64N(30e6), state: "SF", localOrig: true, history: "ShADadfF", origPkts: 5 + r.IntN(50), respPkts: 5 + r.IntN(80)}
	c.origBytes = c.origPkts * (40 + r.IntN(200))
	c.respBytes = c.respPkts * (100 + r.IntN(1300))
	writeConnTSV(s.core.conn, &c)
}
