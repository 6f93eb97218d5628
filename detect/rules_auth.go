package detect

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// attempts are the failed guesses: every "Failed ..." line, plus "Invalid
// user" lines of connections that logged no "Failed" line (old sshd and
// some PAM setups log only the former). One attempt is one guess, whatever
// saw it: on an audited host one failed password is sshd's line and
// auditd's record of the same connection (host and sshd pid), and the two
// added up doubled every count. So attempts are counted per connection and
// source, and a connection's attempts are those of the source that saw the
// most of them (sshd's lines on a tie: they carry the port and the method);
// each attempt notes every source that saw its connection (rec.seen).
func (d *data) attempts() []*rec {
	if d.attemptsC != nil {
		return d.attemptsC
	}
	failed := map[string]bool{}
	for _, r := range d.fails {
		if r.k == kFailure && r.pid != 0 {
			failed[r.format+"\x00"+r.host+"\x00"+strconv.Itoa(r.pid)+"\x00"+r.user] = true
		}
	}
	type conn struct {
		byFormat map[string][]*rec
		last     time.Time
	}
	conns := map[string]*conn{}
	var order []*conn
	out := make([]*rec, 0, len(d.fails))
	for _, r := range d.fails {
		if r.k == kInvalid && r.pid != 0 && failed[r.format+"\x00"+r.host+"\x00"+strconv.Itoa(r.pid)+"\x00"+r.user] {
			continue
		}
		if r.pid == 0 {
			out = append(out, r)
			continue
		}
		// One sshd process serves one connection; a pid seen again after a
		// long pause is another connection (the pid was reused).
		k := r.host + "\x00" + strconv.Itoa(r.pid)
		c := conns[k]
		if c == nil || r.ts.Sub(c.last) > connGap {
			c = &conn{byFormat: map[string][]*rec{}}
			conns[k] = c
			order = append(order, c)
		}
		c.byFormat[r.format] = append(c.byFormat[r.format], r)
		if r.ts.After(c.last) {
			c.last = r.ts
		}
	}
	for _, c := range order {
		var formats []string
		for f := range c.byFormat {
			formats = append(formats, f)
		}
		sort.Strings(formats)
		best := ""
		for _, f := range formats {
			rs, b := c.byFormat[f], c.byFormat[best]
			if best == "" || len(rs) > len(b) || len(rs) == len(b) && best == schema.FormatAuditd {
				best = f
			}
		}
		seen := strings.Join(formats, ", ")
		for _, r := range c.byFormat[best] {
			r.seen = seen
			out = append(out, r)
		}
	}
	byTime(out)
	d.attemptsC = out
	return out
}

// connGap is how long an sshd pid's attempts stay one connection: longer
// than LoginGraceTime (2 min), shorter than a pid's reuse.
const connGap = 10 * time.Minute

// invalids are attempts on accounts that do not exist, one per connection
// and user ("Invalid user" and "Failed ... for invalid user" of the same
// connection count once).
func (d *data) invalids() []*rec {
	seen := map[string]bool{}
	var out []*rec
	for _, r := range d.fails {
		if r.k != kInvalid && r.detail != "invalid" {
			continue
		}
		if r.pid != 0 {
			k := r.host + "\x00" + strconv.Itoa(r.pid) + "\x00" + r.user
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, r)
	}
	return out
}

func bySrc(r *rec) string  { return r.src }
func byUser(r *rec) string { return r.user }

// burstRule reports bursts from one source whose peak in window reaches n.
// distinct, when set, counts distinct values instead of events.
func burstRule(m meta, rs []*rec, window time.Duration, n int, distinct func(*rec) string,
	say func(b *bucket, peak int) string) []Finding {
	var out []Finding
	groups, order := groupBy(rs, bySrc)
	for _, src := range order {
		for _, c := range clusters(groups[src], window) {
			p := peak(c, window, distinct)
			if p < n {
				continue
			}
			b := &bucket{}
			for _, r := range c {
				b.add(r)
			}
			out = append(out, b.finding(m, say(b, p)))
		}
	}
	return out
}

func ruleBruteForce(m meta, d *data) []Finding {
	t := d.cc.Thresholds
	return burstRule(m, d.attempts(), t.BruteForceWindow, t.BruteForceFailures, nil, func(b *bucket, p int) string {
		return fmt.Sprintf("%s failed %d logons (up to %d within %s) against %d account(s) (%s) on %s between %s and %s.%s",
			b.first.src, b.n, p, t.BruteForceWindow, len(b.users), top(b.users, 5), top(b.hosts, 3),
			stamp(b.first.ts), stamp(b.last.ts), b.seenNote())
	})
}

func ruleSpraying(m meta, d *data) []Finding {
	t := d.cc.Thresholds
	return burstRule(m, d.attempts(), t.SprayWindow, t.SprayUsers, byUser, func(b *bucket, p int) string {
		return fmt.Sprintf("%s tried %d distinct accounts (up to %d within %s) in %d failed logons on %s: %s.%s",
			b.first.src, len(b.users), p, t.SprayWindow, b.n, top(b.hosts, 3), top(b.users, 8), b.seenNote())
	})
}

func ruleInvalidUsers(m meta, d *data) []Finding {
	t := d.cc.Thresholds
	return burstRule(m, d.invalids(), t.InvalidUserWindow, t.InvalidUsers, nil, func(b *bucket, p int) string {
		return fmt.Sprintf("%s tried %d logons to accounts that do not exist (up to %d within %s) on %s: %s.",
			b.first.src, b.n, p, t.InvalidUserWindow, top(b.hosts, 3), top(b.users, 8))
	})
}

// ruleGuessed: a success from a source that failed at least n times in the
// window before it, since its previous success.
func ruleGuessed(m meta, d *data) []Finding {
	t := d.cc.Thresholds
	fails, _ := groupBy(d.attempts(), bySrc)
	lastOK := map[string]time.Time{}
	var out []Finding
	for _, l := range d.logons {
		if l.src == "" {
			continue
		}
		from := l.ts.Add(-t.GuessWindow)
		if p, ok := lastOK[l.src]; ok && p.After(from) {
			from = p
		}
		lastOK[l.src] = l.ts
		// The source's attempts are in time order (attempts sorts them):
		// find the window instead of walking every attempt for every
		// logon (300k brute-force lines took 29 s that way).
		fs := fails[l.src]
		b := &bucket{}
		for i := sort.Search(len(fs), func(i int) bool { return !fs[i].ts.Before(from) }); i < len(fs) && !fs[i].ts.After(l.ts); i++ {
			b.add(fs[i])
		}
		if b.n < t.GuessFailures {
			continue
		}
		n, users, note := b.n, len(b.users), b.seenNote()
		b.add(l)
		f := b.finding(m, fmt.Sprintf("%s logged on as %s to %s by %s after %d failed logons against %d account(s) in the %s before.%s",
			l.src, l.user, l.host, orUnknown(l.method), n, users, l.ts.Sub(b.first.ts).Round(time.Second), note))
		f.User, f.Host = l.user, l.host
		out = append(out, f)
	}
	return out
}

// ruleDaemons: a successful SSH logon by a service or daemon account.
func ruleDaemons(m meta, d *data) []Finding {
	var k keyed
	why := map[*bucket]string{}
	for _, l := range d.logons {
		if ok, w := d.cc.isService(l.user, l.uid); ok && !d.allowed(l) {
			if b, isNew := k.add(l.host+"\x00"+l.user, l); isNew {
				why[b] = w
			}
		}
	}
	return k.findings(func(b *bucket) Finding {
		l := b.first
		return b.finding(m, fmt.Sprintf("Service account %s (%s) logged on to %s by SSH %d time(s) from %s, first by %s.",
			l.user, why[b], l.host, b.n, top(b.srcs, 3), orUnknown(l.method)))
	})
}

// ruleRoot: a direct SSH logon as root (instead of a named user and sudo).
func ruleRoot(m meta, d *data) []Finding {
	var k keyed
	for _, l := range d.logons {
		if l.user == "root" || l.uid == "0" {
			if !d.allowed(l) {
				k.add(l.host+"\x00"+l.src, l)
			}
		}
	}
	return k.findings(func(b *bucket) Finding {
		return b.finding(m, fmt.Sprintf("root logged on directly to %s from %s %d time(s) (%s first), first at %s.",
			b.first.host, orUnknown(b.first.src), b.n, orUnknown(b.first.method), stamp(b.first.ts)))
	})
}

// allowed: the user is explicitly allowed on one of the host's groups.
func (d *data) allowed(l *rec) bool {
	for _, g := range d.cc.groupsOf(l.target, l.dst) {
		if len(g.allow) > 0 && globAny(lowerAll(g.allow), l.user) {
			return true
		}
	}
	return false
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown method"
	}
	return s
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }
