package detect

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ruleProxy: traffic tunnelled through SSH. Four kinds of evidence, each
// its own finding: an ssh client started with forwarding options (auditd),
// sshd forwarding messages, a Zeek connection to a Windows service port
// from a host while an inbound SSH session to it is open, and a long-lived
// SSH connection that carried far more bytes than typing does.
func ruleProxy(m meta, d *data) []Finding {
	var out []Finding
	// 1 and 2: forwarding evidence in the host's own logs.
	var k keyed
	recs := map[string][]*rec{}
	for _, r := range d.forwards {
		key := r.host + "\x00" + r.user + "\x00" + r.format
		k.add(key, r)
		recs[key] = append(recs[key], r)
	}
	for _, key := range k.order {
		b := k.m[key]
		r := b.first
		what := "sshd logged port forwarding"
		if r.k == kForward && r.format == "auditd" {
			what = "ssh was started with forwarding"
		}
		who := ""
		if r.user != "" {
			who = " by " + r.user
		}
		// Every distinct forward is named: one finding often gathers
		// several ssh runs, and the third one's reverse tunnel matters most.
		descs, reverseOut := forwardsOf(recs[key])
		detail := clip(r.detail, 160)
		if len(descs) > 0 {
			detail = strings.Join(descs, "; ")
		}
		f := b.finding(m, fmt.Sprintf("%s on %s%s %d time(s): %s.", what, r.host, who, b.n, detail))
		if reverseOut {
			f.Severity = SevCritical
			f.Summary += " A reverse tunnel to an internet address opens this host to the outside."
		}
		out = append(out, f)
	}
	out = append(out, windowsPivots(m, d)...)
	out = append(out, longSSH(m, d)...)
	return out
}

type interval struct {
	from, to time.Time
	r        *rec
}

// inboundSSH lists the open SSH sessions into each address.
func (d *data) inboundSSH() map[netip.Addr][]interval {
	out := map[netip.Addr][]interval{}
	addIP := func(ip string, iv interval) {
		if a, err := netip.ParseAddr(ip); err == nil {
			out[a.Unmap()] = append(out[a.Unmap()], iv)
		}
	}
	seen := map[string]bool{}
	for _, l := range [][]*rec{d.zssh, d.zconnSSH} {
		for _, z := range l {
			if z.zuid != "" && seen[z.zuid] {
				continue
			}
			seen[z.zuid] = true
			if z.k == kZeekSSH && !z.success && z.dur == 0 {
				continue
			}
			addIP(z.dst, interval{z.ts, z.ts.Add(time.Duration(z.dur * float64(time.Second))), z})
		}
	}
	// Host logs: a logon lasts until its sshd process logs a close.
	closes := map[string][]*rec{}
	for _, c := range d.closes {
		k := c.host + "\x00" + strconv.Itoa(c.pid)
		closes[k] = append(closes[k], c)
	}
	for _, l := range d.logons {
		end := d.end
		for _, c := range closes[l.host+"\x00"+strconv.Itoa(l.pid)] {
			if l.pid != 0 && !c.ts.Before(l.ts) {
				end = c.ts
				break
			}
		}
		for _, a := range d.cc.hostAddrs[l.host] {
			out[a] = append(out[a], interval{l.ts, end, l})
		}
	}
	return out
}

func windowsPivots(m meta, d *data) []Finding {
	if len(d.zconnWin) == 0 {
		return nil
	}
	in := d.inboundSSH()
	byKey := map[string]*bucket{}
	via := map[string]*rec{}
	var order []string
	for _, c := range d.zconnWin {
		a, err := netip.ParseAddr(c.src)
		if err != nil {
			continue
		}
		for _, iv := range in[a.Unmap()] {
			if c.ts.Before(iv.from) || c.ts.After(iv.to) {
				continue
			}
			k := c.src + "\x00" + c.dst
			if byKey[k] == nil {
				byKey[k] = &bucket{}
				via[k] = iv.r
				order = append(order, k)
				byKey[k].add(iv.r)
			}
			byKey[k].add(c)
			break
		}
	}
	var out []Finding
	for _, k := range order {
		b := byKey[k]
		s := via[k]
		ports := map[string]int{}
		conns := b.n - 1 // every rec after the session itself
		c := b.last
		for _, r := range d.zconnWin {
			if r.src == c.src && r.dst == c.dst {
				ports[strconv.Itoa(r.dstPort)]++
			}
		}
		f := b.finding(m, fmt.Sprintf("While %s had an inbound SSH session from %s (%s), it connected %d time(s) to Windows service port(s) %s on %s.",
			c.src, orUnknown(s.src), stamp(s.ts), conns, top(ports, 5), c.dst))
		f.Host, f.SrcIP, f.DstIP, f.User = s.target, s.src, c.dst, s.user
		out = append(out, f)
	}
	return out
}

func longSSH(m meta, d *data) []Finding {
	t := d.cc.Thresholds
	if t.LongSSHDuration <= 0 && t.LongSSHBytes <= 0 {
		return nil
	}
	var out []Finding
	seen := map[string]bool{}
	for _, l := range [][]*rec{d.zssh, d.zconnSSH} {
		for _, z := range l {
			if z.zuid != "" && seen[z.zuid] {
				continue
			}
			seen[z.zuid] = true
			dur := time.Duration(z.dur * float64(time.Second))
			if dur < t.LongSSHDuration || z.bytes < t.LongSSHBytes {
				continue
			}
			b := &bucket{}
			b.add(z)
			f := b.finding(m, fmt.Sprintf("SSH connection %s -> %s lasted %s and carried %s (thresholds %s, %s): more than an interactive session, likely a tunnel or bulk copy.",
				z.src, z.dst, dur.Round(time.Second), size(z.bytes), t.LongSSHDuration, size(t.LongSSHBytes)))
			f.DstIP = z.dst
			out = append(out, f)
		}
	}
	return out
}

// ruleZeekGuessing: Zeek's SSH::Password_Guessing notices, per source.
func ruleZeekGuessing(m meta, d *data) []Finding {
	var guesses []*rec
	for _, n := range d.notices {
		if n.notice != "SSH::Password_Guessing" {
			continue
		}
		if n.src == "" {
			// "192.168.56.1 appears to be guessing SSH passwords (...)"
			if f := strings.Fields(n.detail); len(f) > 0 {
				if a, err := netip.ParseAddr(f[0]); err == nil {
					n.src = a.String()
				}
			}
		}
		guesses = append(guesses, n)
	}
	var k keyed
	for _, g := range guesses {
		if g.src != "" {
			k.add(g.src, g)
		}
	}
	return k.findings(func(b *bucket) Finding {
		return b.finding(m, fmt.Sprintf("Zeek raised SSH::Password_Guessing for %s %d time(s): %s", b.key, b.n, clip(b.first.detail, 200)))
	})
}

// ruleSourceGap: Zeek saw a successful SSH logon to a host whose own logs
// were imported, but those logs hold no matching logon.
func ruleSourceGap(m meta, d *data) []Finding {
	var k keyed
	for _, z := range d.zssh {
		if z.success && !z.matched && d.hostLogged[z.target] {
			k.add(z.target+"\x00"+z.src, z)
		}
	}
	return k.findings(func(b *bucket) Finding {
		z := b.first
		cover := fmt.Sprintf("its own logs cover %s to %s", stamp(d.hostFirst[z.target]), stamp(d.hostLast[z.target]))
		if z.ts.Before(d.hostFirst[z.target]) || z.ts.After(d.hostLast[z.target]) {
			cover += ", so this time is missing from them"
		} else {
			cover += " and hold no such logon: lines removed or not logged"
		}
		f := b.finding(m, fmt.Sprintf("Zeek saw %d successful SSH logon(s) from %s to %s (%s), first at %s, but %s.",
			b.n, z.src, z.target, z.dst, stamp(z.ts), cover))
		f.Host, f.DstIP = z.target, z.dst
		return f
	})
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
