package auditd

import (
	"github.com/sshtrail/sshtrail/schema"
)

// Names, not numbers. Many audit records name the account only by number:
// sshd's USER_LOGIN/USER_END/USER_LOGOUT (id=1000), an ssh exec (auid=1000),
// sudo's USER_CMD (uid=1000). The same file usually names it elsewhere:
// PAM's records of the login carry acct= beside the login uid and session
// (USER_START op=PAM:session_open acct="deploy" auid=1001 ses=31), the
// pre-login PAM records of the same sshd process carry acct= (USER_ACCT
// pid=1298 acct="andrew_kroh"), the kernel's LOGIN record ties that process
// to the new login uid and session, and ENRICHED logs translate every id
// (AUID="alice"). A number-only event takes the name from, in order: its
// session (node + ses), its sshd process (node + pid, sshd's own records
// only), its uid on that node. The records that name it may come later in
// the file (RHEL writes USER_LOGIN before the USER_START it follows; a file
// that begins inside a session names it only at the session's end), so an
// event that cannot be named yet is held — and every event after it, so
// the output keeps file order — until a record names it, the hold is full
// (maxHeld events or maxHeldBytes), or the file ends; then it goes out with
// user empty and the number in uid. The names are per node: uid 1001 on
// another host is another account.
const (
	maxHeld      = 10000
	maxHeldBytes = 64 << 20
	maxNames     = 100000 // per map; a full map is cleared (recent logins are learnt again)
)

// held is an event waiting in the hold.
type held struct {
	ev           *schema.Event
	node         string
	sesOK, pidOK bool // its ses / pid identify its account (see resolve)
	open         bool // still needs a name
}

// authSeen is what a successful USER_AUTH of an sshd process said about the
// method, so the USER_LOGIN that follows (the logon) carries it as sshd's
// "Accepted <method>" line does.
type authSeen struct {
	src, method, keyType, keyFP string
	port                        int
}

type namer struct {
	uid, ses, pid map[string]string // node\x00number -> account
	auth          map[string]authSeen
	logged        map[string]bool // node\x00pid of sshd processes whose logon was seen

	queue     []*held
	bytes     int
	waitUID   map[string][]*held
	waitSes   map[string][]*held
	waitPID   map[string][]*held
	openCount int
}

func nkey(node, n string) string { return node + "\x00" + n }

func put(m *map[string]string, k, name string) (added bool) {
	if *m == nil || len(*m) >= maxNames {
		*m = map[string]string{}
	}
	if (*m)[k] == name {
		return false
	}
	(*m)[k] = name
	return true
}

// learnUser learns from a user-space record of sshd (ev as userEvent made it).
// Only names that the record itself pairs with the number are learnt:
//   - acct= with id= or the post-login auid (ev.UID), with its session;
//   - acct= of a successful pre-login record with sshd's pid (ev.UID empty:
//     auid is still sshd's own then, so the session and auid mean nothing);
//   - ENRICHED translations (learnEnriched).
func (n *namer) learnUser(r *Record, ev *schema.Event) {
	n.learnEnriched(r)
	name := ev.User
	if name == "" || ev.Program == "" || ev.Action == schema.ActionCommand {
		return
	}
	switch {
	case ev.UID != "":
		n.learn(r.Node, ev.UID, ev.Ses, "", name)
	case ev.Outcome == schema.OutcomeSuccess && ev.PID != 0 && !placeholderUser(name):
		n.learn(r.Node, "", "", itoa(ev.PID), name)
	}
	if r.Type == "USER_AUTH" && ev.Outcome == schema.OutcomeSuccess && ev.Method != "" && ev.PID != 0 {
		if n.auth == nil || len(n.auth) >= maxNames {
			n.auth = map[string]authSeen{}
		}
		k := nkey(r.Node, itoa(ev.PID))
		a := n.auth[k]
		if a.method != ev.Method || a.src != ev.SrcIP {
			a = authSeen{src: ev.SrcIP, method: ev.Method}
		}
		if ev.KeyType != "" {
			a.keyType = ev.KeyType
		}
		if ev.KeyFP != "" {
			a.keyFP = ev.KeyFP
		}
		if ev.SrcPort != 0 {
			a.port = ev.SrcPort
		}
		n.auth[k] = a
	}
}

// learnKernel learns from a kernel record: ENRICHED translations, and
// LOGIN (pam_loginuid setting the login uid and session of an sshd process
// whose PAM records named the account).
func (n *namer) learnKernel(r *Record) {
	n.learnEnriched(r)
	if r.Type != "LOGIN" {
		return
	}
	pid, auid, ses := r.Outer("pid"), r.Outer("auid"), r.Outer("ses")
	if !digits(auid) || auid == "" || auid == unsetID {
		return
	}
	if ses == unsetID {
		ses = ""
	}
	if name := n.pid[nkey(r.Node, pid)]; name != "" {
		n.learn(r.Node, auid, ses, "", name)
	}
}

// learnEnriched learns ENRICHED AUID/UID/ID translations of the record's
// numeric ids; the session goes with AUID (the login uid).
func (n *namer) learnEnriched(r *Record) {
	if len(r.Enriched) == 0 {
		return
	}
	for _, k := range [...]struct{ field, enriched string }{{"auid", "AUID"}, {"uid", "UID"}, {"id", "ID"}} {
		num := r.Outer(k.field)
		if k.field == "id" {
			num = r.Get("id")
		}
		if num == "" || num == unsetID || !digits(num) {
			continue
		}
		name := enrichedName(r, k.enriched)
		if name == "" || digits(name) {
			continue
		}
		ses := ""
		if k.field == "auid" {
			if s := r.Outer("ses"); s != unsetID {
				ses = s
			}
		}
		n.learn(r.Node, num, ses, "", name)
	}
}

// learn records a name for a uid, a session and/or a process of a node, and
// names the held events that waited for it.
func (n *namer) learn(node, uid, ses, pid, name string) {
	if uid != "" && put(&n.uid, nkey(node, uid), name) {
		n.wake(n.waitUID, nkey(node, uid))
	}
	if ses != "" && put(&n.ses, nkey(node, ses), name) {
		n.wake(n.waitSes, nkey(node, ses))
	}
	if pid != "" && put(&n.pid, nkey(node, pid), name) {
		n.wake(n.waitPID, nkey(node, pid))
	}
}

func (n *namer) wake(wait map[string][]*held, k string) {
	hs, ok := wait[k]
	if !ok {
		return
	}
	delete(wait, k)
	for _, h := range hs {
		if h.open && n.resolve(h) {
			h.open = false
			n.openCount--
		}
	}
}

// resolve names h's event if a name is known: its session's account when
// the event's uid is the session's login uid (sesOK), its sshd process's
// account (pidOK: sshd's own records), else the uid's account on its node.
// A name found through the session or process is learnt for the uid too.
func (n *namer) resolve(h *held) bool {
	ev := h.ev
	if ev.User != "" || ev.UID == "" {
		return true
	}
	name := ""
	if h.sesOK && ev.Ses != "" {
		name = n.ses[nkey(h.node, ev.Ses)]
	}
	if name == "" && h.pidOK && ev.PID != 0 {
		name = n.pid[nkey(h.node, itoa(ev.PID))]
	}
	fromUID := false
	if name == "" {
		name, fromUID = n.uid[nkey(h.node, ev.UID)], true
	}
	if name == "" {
		return false
	}
	ev.User = name
	if !fromUID {
		n.learn(h.node, ev.UID, "", "", name)
	}
	return true
}

// logon keeps one logon per sshd process: Red Hat's sshd writes USER_LOGIN
// res=success again for every command of a connection without a tty
// (audit_run_command), so only the first of a process is the logon
// (auth_success); the rest are other. A record of the process written
// before a login (auid unset) starts a new connection on a reused pid. The
// logon gets the method, key and source port of its process's successful
// USER_AUTH, as sshd's "Accepted <method> for U from A port P" carries them.
func (n *namer) logon(r *Record, ev *schema.Event) {
	if ev.PID == 0 {
		return
	}
	k := nkey(r.Node, itoa(ev.PID))
	if auid := r.Outer("auid"); auid == unsetID || auid == "" {
		delete(n.logged, k)
	}
	if ev.Action != schema.ActionAuthSuccess {
		return
	}
	if n.logged[k] {
		ev.Action = schema.ActionOther
		return
	}
	if n.logged == nil || len(n.logged) >= maxNames {
		n.logged = map[string]bool{}
	}
	n.logged[k] = true
	a, ok := n.auth[k]
	if !ok || ev.SrcIP != "" && a.src != "" && a.src != ev.SrcIP {
		return
	}
	if ev.Method == "" {
		ev.Method = a.method
	}
	if ev.KeyType == "" {
		ev.KeyType = a.keyType
	}
	if ev.KeyFP == "" {
		ev.KeyFP = a.keyFP
	}
	if ev.SrcPort == 0 {
		ev.SrcPort = a.port
	}
}

// hold queues ev behind the held events, or says it can go out now.
func (n *namer) hold(ev *schema.Event, node string, sesOK, pidOK bool) (now bool) {
	h := &held{ev: ev, node: node, sesOK: sesOK, pidOK: pidOK}
	h.open = !n.resolve(h)
	if !h.open && len(n.queue) == 0 {
		return true
	}
	if h.open {
		n.openCount++
		add := func(m *map[string][]*held, k string) {
			if *m == nil {
				*m = map[string][]*held{}
			}
			l := (*m)[k]
			if len(l) >= maxHeld {
				// Drop the waiters that went out unnamed (the hold was full).
				keep := l[:0]
				for _, w := range l {
					if w.open {
						keep = append(keep, w)
					}
				}
				clear(l[len(keep):])
				l = keep
			}
			(*m)[k] = append(l, h)
		}
		add(&n.waitUID, nkey(node, ev.UID))
		if sesOK && ev.Ses != "" {
			add(&n.waitSes, nkey(node, ev.Ses))
		}
		if pidOK && ev.PID != 0 {
			add(&n.waitPID, nkey(node, itoa(ev.PID)))
		}
	}
	n.queue = append(n.queue, h)
	n.bytes += len(ev.Message)
	return false
}

// release hands out the held events that may go: every one when all is
// set (the end of the file), else those in front of the first one still
// waiting for a name, and the oldest ones while the hold is over its bounds.
func (n *namer) release(all bool, send func(*schema.Event) error) error {
	i := 0
	for ; i < len(n.queue); i++ {
		h := n.queue[i]
		over := len(n.queue)-i > maxHeld || n.bytes > maxHeldBytes
		if h.open && !all && !over {
			break
		}
		if h.open {
			h.open = false
			n.openCount--
		}
		n.bytes -= len(h.ev.Message)
		n.queue[i] = nil
		if err := send(h.ev); err != nil {
			n.queue = n.queue[i+1:]
			return err
		}
	}
	n.queue = n.queue[i:]
	if len(n.queue) == 0 {
		n.queue = nil
	}
	if n.openCount == 0 {
		// Nobody waits: drop the lists (what they still point to is out).
		n.waitUID, n.waitSes, n.waitPID = nil, nil, nil
	}
	return nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
