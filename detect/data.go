package detect

import (
	"context"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

// kind says which list of the data set a rec belongs to.
type kind uint8

const (
	kLogon       kind = iota + 1 // auth_success in a host's own log
	kFailure                     // auth_failure in a host's own log
	kInvalid                     // invalid_user in a host's own log
	kClose                       // session_close / disconnect with a pid
	kZeekSSH                     // Zeek ssh.log record
	kZeekConnSSH                 // Zeek conn.log record to an SSH port
	kZeekConnWin                 // Zeek conn.log record to a Windows service port
	kNotice                      // Zeek SSH::* notice
	kForward                     // ssh client started with forwarding (auditd) or sshd forwarding message
)

// rec is the compact copy of an event that the built-in rules read.
type rec struct {
	ts                                          time.Time
	id, sid                                     string
	k                                           kind
	format, host, user, uid, src, dst, dstHost  string
	method, keyFP, client, notice, detail, zuid string
	pid, dstPort                                int
	dur                                         float64
	bytes                                       int64
	target                                      string // the host logged on to (resolved for Zeek)
	matched                                     bool   // Zeek logon seen in the host's own log too
	success                                     bool   // Zeek: auth_success was true
	seen                                        string // attempts: every source that saw the connection ("authlog, auditd")
	forward                                     string // forwards: the ssh invocation's specs ("L:... D:1080")
}

// data is one pass over the store, shared by every built-in rule.
type data struct {
	cc                       *compiled
	start, end               time.Time // first and last event of the case
	hostFirst                map[string]time.Time
	hostLast                 map[string]time.Time // of the host's own logs
	hostLogged               map[string]bool      // hosts whose own logs were imported
	logons, fails, closes    []*rec
	zssh, zconnSSH, zconnWin []*rec
	notices, forwards        []*rec
	paths                    []sessions.Path // lateral paths of the stored sessions
	attemptsC                []*rec
	profiles                 map[string]*HostProfile // learned by the abnormal-access rules
	uidNames                 map[string]string       // host\x00uid -> the name a host log gave it
}

func hostLog(format string) bool {
	switch format {
	case schema.FormatAuthlog, schema.FormatJournal, schema.FormatUnified, schema.FormatAuditd:
		return true
	}
	return false
}

// forwardMsg matches sshd messages about port forwarding and tunnels.
var forwardMsg = regexp.MustCompile(`(?i)(direct-tcpip|tcpip-forward|forwarded-tcpip|streamlocal-forward|Received request to connect to host|connect_to .* port \d+|port forwarding|tun(nel)? forwarding|channel \d+: (open|connected).* (to|from) \S+ port \d+)`)

// forwardArg matches ssh client options that open tunnels.
var forwardArg = regexp.MustCompile(`(^|\s)-(-?[LRDw]\s*\S|[a-zA-Z]*[LRDw]\b)|(?i)(LocalForward|RemoteForward|DynamicForward|Tunnel=)`)

type interner map[string]string

func (in interner) s(v string) string {
	if v == "" {
		return ""
	}
	if x, ok := in[v]; ok {
		return x
	}
	in[v] = v
	return v
}

// load reads the store once.
func load(ctx context.Context, s *index.Store, cc *compiled) (*data, error) {
	d := &data{cc: cc, hostFirst: map[string]time.Time{}, hostLast: map[string]time.Time{}, hostLogged: map[string]bool{}}
	in := interner{}
	err := s.Scan(ctx, func(ev *schema.Event) error {
		d.add(ev, in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	d.finish()
	return d, nil
}

func (d *data) add(ev *schema.Event, in interner) {
	if ev.TS.IsZero() {
		return
	}
	if d.start.IsZero() || ev.TS.Before(d.start) {
		d.start = ev.TS
	}
	if ev.TS.After(d.end) {
		d.end = ev.TS
	}
	hl := hostLog(ev.Format)
	host := strings.ToLower(ev.Host)
	if hl && ev.User != "" && ev.UID != "" && ev.Format != schema.FormatAuditd {
		if d.uidNames == nil {
			d.uidNames = map[string]string{}
		}
		if _, ok := d.uidNames[host+"\x00"+ev.UID]; !ok {
			d.uidNames[in.s(host+"\x00"+ev.UID)] = in.s(ev.User)
		}
	}
	if hl && host != "" {
		if t, ok := d.hostFirst[host]; !ok || ev.TS.Before(t) {
			d.hostFirst[in.s(host)] = ev.TS
		}
		if ev.TS.After(d.hostLast[host]) {
			d.hostLast[in.s(host)] = ev.TS
		}
		d.hostLogged[in.s(host)] = true
	}
	var k kind
	detail := ""
	switch {
	case hl && ev.Action == schema.ActionAuthSuccess:
		k = kLogon
	case hl && ev.Action == schema.ActionAuthFailure:
		k = kFailure
		if m := strings.ToLower(ev.Message); strings.Contains(m, "invalid user") || strings.Contains(m, "illegal user") {
			detail = "invalid"
		}
	case hl && ev.Action == schema.ActionInvalidUser:
		k = kInvalid
	case hl && (ev.Action == schema.ActionSessionClose || ev.Action == schema.ActionDisconnect) && ev.PID != 0:
		k = kClose
	case hl && ev.Action == schema.ActionConnection && ev.DstIP != "":
		// "Connection from A port P on B port Q": B is this host's address.
		if a, err := netip.ParseAddr(ev.DstIP); err == nil {
			d.cc.learnAddr(in.s(host), a.Unmap())
		}
		return
	case ev.Format == schema.FormatZeekSSH || (ev.Action == schema.ActionNetworkSession && !hl):
		k = kZeekSSH
	case ev.Format == schema.FormatZeekConn && d.cc.winPorts[ev.DstPort]:
		k = kZeekConnWin
	case ev.Format == schema.FormatZeekConn && (ev.DstPort == 22 || strings.Contains(ev.Service, "ssh")):
		k = kZeekConnSSH
	case ev.Action == schema.ActionNotice && strings.HasPrefix(ev.Notice, "SSH::"):
		k = kNotice
		detail = ev.Message
	case ev.Action == schema.ActionProcess && (ev.Forward != "" || forwardArg.MatchString(ev.Command)):
		k = kForward
		detail = ev.Forward
		if detail == "" {
			detail = ev.Command
		}
	case hl && ev.Action == schema.ActionOther && forwardMsg.MatchString(ev.Message):
		k = kForward
		detail = ev.Message
	default:
		return
	}
	r := &rec{
		ts: ev.TS, id: ev.ID, sid: ev.SID, k: k, format: in.s(ev.Format), host: in.s(host),
		user: in.s(ev.User), uid: in.s(ev.UID), src: in.s(ev.SrcIP), dst: in.s(ev.DstIP),
		dstHost: in.s(strings.ToLower(ev.DstHost)), method: in.s(ev.Method), keyFP: in.s(ev.KeyFP),
		client: in.s(ev.Client), notice: in.s(ev.Notice), detail: detail, zuid: ev.ZeekUID,
		pid: ev.PID, dstPort: ev.DstPort, dur: ev.Duration, bytes: ev.BytesIn + ev.BytesOut,
	}
	if k == kForward {
		r.forward = ev.Forward
	}
	if k == kZeekSSH {
		r.user = "" // Zeek does not know the account
		r.success = ev.Outcome == schema.OutcomeSuccess
	}
	if hl {
		r.target = r.host
	}
	switch k {
	case kLogon:
		d.logons = append(d.logons, r)
	case kFailure, kInvalid:
		d.fails = append(d.fails, r)
	case kClose:
		d.closes = append(d.closes, r)
	case kZeekSSH:
		d.zssh = append(d.zssh, r)
	case kZeekConnSSH:
		d.zconnSSH = append(d.zconnSSH, r)
	case kZeekConnWin:
		d.zconnWin = append(d.zconnWin, r)
	case kNotice:
		d.notices = append(d.notices, r)
	case kForward:
		d.forwards = append(d.forwards, r)
	}
}

func byTime(rs []*rec) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].ts.Before(rs[j].ts) })
}

func (d *data) finish() {
	for _, l := range [][]*rec{d.logons, d.fails, d.closes, d.zssh, d.zconnSSH, d.zconnWin, d.notices, d.forwards} {
		byTime(l)
		// Names, not numbers: an auditd record no record of its own file
		// named carries only the uid; the auth log of the same host names
		// it ("session opened for user deploy(uid=1001)").
		for _, r := range l {
			if r.user == "" && r.uid != "" {
				r.user = d.uidNames[r.host+"\x00"+r.uid]
			}
		}
	}
	d.logons = dedupLogons(d.logons)
	// Zeek: join ssh.log to conn.log (size and duration live in conn.log),
	// name the target host, and find the host's own line of each logon.
	conn := map[string]*rec{}
	for _, c := range d.zconnSSH {
		if c.zuid != "" {
			conn[c.zuid] = c
		}
	}
	for _, z := range d.zssh {
		if c := conn[z.zuid]; c != nil {
			if z.dur == 0 {
				z.dur = c.dur
			}
			if z.bytes == 0 {
				z.bytes = c.bytes
			}
		}
		z.target = d.resolve(z.dstHost, z.dst)
	}
	for _, c := range d.zconnSSH {
		c.target = d.resolve(c.dstHost, c.dst)
	}
	bySrc := map[string][]*rec{}
	for _, l := range d.logons {
		bySrc[l.src] = append(bySrc[l.src], l)
	}
	skew := d.cc.Thresholds.ClockSkew
	for _, z := range d.zssh {
		if !d.hostLogged[z.target] {
			if t, ok := d.hostFirst[z.target]; !ok || z.ts.Before(t) {
				d.hostFirst[z.target] = z.ts
			}
		}
		if !z.success {
			continue
		}
		for _, l := range bySrc[z.src] {
			if absDur(l.ts.Sub(z.ts)) <= skew && d.sameHost(l.host, z) {
				z.matched = true
				if l.client == "" {
					l.client = z.client
				}
				break
			}
		}
	}
}

// dedupLogons drops a logon that another source already reported (auditd
// USER_LOGIN beside sshd "Accepted", journald beside syslog) so counts and
// findings are not doubled.
func dedupLogons(ls []*rec) []*rec {
	type key struct{ host, user, src string }
	type pidKey struct {
		host string
		pid  int
	}
	last := map[key]*rec{}
	byPID := map[pidKey]*rec{}
	out := ls[:0]
	for _, l := range ls {
		k := key{l.host, l.user, l.src}
		p := last[k]
		if p == nil || p.format == l.format || l.ts.Sub(p.ts) > 2*time.Second {
			// One sshd process is one logon whatever wrote it: auditd's
			// USER_LOGIN may lack the name (no record named the uid) or
			// the port, but it carries sshd's pid.
			p = nil
			if q := byPID[pidKey{l.host, l.pid}]; l.pid != 0 && q != nil && q.format != l.format && l.ts.Sub(q.ts) <= connGap {
				p = q
			}
		}
		if p != nil {
			if p.method == "" {
				p.method, p.keyFP = l.method, l.keyFP
			}
			if p.user == "" {
				p.user, p.uid = l.user, l.uid
			}
			continue
		}
		last[k] = l
		if l.pid != 0 {
			byPID[pidKey{l.host, l.pid}] = l
		}
		out = append(out, l)
	}
	return out
}

// resolve names the host behind a Zeek responder.
func (d *data) resolve(dstHost, dst string) string {
	if dstHost != "" {
		return dstHost
	}
	if a, err := netip.ParseAddr(dst); err == nil {
		if h, ok := d.cc.addrHost[a.Unmap()]; ok {
			return h
		}
	}
	return dst
}

// sameHost reports whether a host log's host is the Zeek record's responder.
func (d *data) sameHost(host string, z *rec) bool {
	if host == z.target {
		return true
	}
	a, err := netip.ParseAddr(z.dst)
	if err != nil {
		return false
	}
	for _, h := range d.cc.hostAddrs[host] {
		if h == a.Unmap() {
			return true
		}
	}
	return false
}

// baselineEnd is when learning stops for a host ("" = the whole case).
func (d *data) baselineEnd(host string) time.Time {
	if !d.cc.BaselineUntil.IsZero() {
		return d.cc.BaselineUntil
	}
	first, ok := d.hostFirst[host]
	if host == "" || !ok {
		first = d.start
	}
	return first.Add(time.Duration(d.cc.BaselineDays) * 24 * time.Hour)
}

func absDur(x time.Duration) time.Duration {
	if x < 0 {
		return -x
	}
	return x
}
