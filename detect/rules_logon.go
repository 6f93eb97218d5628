package detect

import (
	"fmt"
	"strings"
)

// firstSeenRule: after the case's baseline window, a logon by a user from a
// source (or with a key, or a client) the user never used before.
func firstSeenRule(what string, attr func(*rec) string) func(m meta, d *data) []Finding {
	return func(m meta, d *data) []Finding {
		end := d.baselineEnd("")
		known := map[string]bool{}
		byKey := map[string]*bucket{}
		var order []string
		for _, l := range d.logons {
			v := attr(l)
			if l.user == "" || v == "" {
				continue
			}
			k := l.user + "\x00" + v
			if l.ts.Before(end) {
				known[k] = true
				continue
			}
			if known[k] && byKey[k] == nil {
				continue
			}
			if byKey[k] == nil {
				byKey[k] = &bucket{}
				order = append(order, k)
				known[k] = true
			}
			byKey[k].add(l)
		}
		var out []Finding
		for _, k := range order {
			b := byKey[k]
			l := b.first
			out = append(out, b.finding(m, fmt.Sprintf("%s logged on to %s with %s %s, not seen for this user before (baseline until %s); %d logon(s) with it.",
				l.user, top(b.hosts, 3), what, attr(l), stamp(end), b.n)))
		}
		return out
	}
}

// ruleOffHours: logons outside working hours, per host and user.
func ruleOffHours(m meta, d *data) []Finding {
	var k keyed
	for _, l := range d.logons {
		if d.cc.offHours(l.ts) {
			k.add(l.host+"\x00"+l.user, l)
		}
	}
	wh := d.cc.WorkingHours
	return k.findings(func(b *bucket) Finding {
		l := b.first
		return b.finding(m, fmt.Sprintf("%s logged on to %s %d time(s) outside working hours (%s %s-%s %s), first at %s from %s.",
			l.user, l.host, b.n, strings.Join(wh.Days, ","), wh.Start, wh.End, d.cc.loc, l.ts.In(d.cc.loc).Format("Mon 2006-01-02 15:04 MST"), orUnknown(l.src)))
	})
}

// ruleKeyNorm: a password logon by a user whose earlier logons were all by
// key (at least key_norm_logons of them). Later password logons of the same
// user join the finding.
func ruleKeyNorm(m meta, d *data) []Finding {
	keys := map[string]int{}
	pw := map[string]bool{}
	byUser := map[string]*bucket{}
	var order []string
	for _, l := range d.logons {
		if l.user == "" {
			continue
		}
		isPW := d.cc.pwMethods[strings.ToLower(l.method)]
		if b := byUser[l.user]; b != nil {
			if isPW {
				b.add(l)
			}
			continue
		}
		switch {
		case isPW && !pw[l.user] && keys[l.user] >= d.cc.Thresholds.KeyNormLogons:
			byUser[l.user] = &bucket{key: fmt.Sprint(keys[l.user])}
			byUser[l.user].add(l)
			order = append(order, l.user)
		case isPW:
			pw[l.user] = true
		case l.method == "publickey":
			keys[l.user]++
		}
	}
	var out []Finding
	for _, u := range order {
		b := byUser[u]
		l := b.first
		out = append(out, b.finding(m, fmt.Sprintf("%s logged on to %s by %s from %s although all %s earlier logon(s) of this user were by key; %d password logon(s) since.",
			u, l.host, l.method, orUnknown(l.src), b.key, b.n)))
	}
	return out
}

// ruleNotAllowed: a logon to a host of a group with an allow-list by a
// user not on it (mitigation M1018).
func ruleNotAllowed(m meta, d *data) []Finding {
	var k keyed
	grp := map[*bucket]string{}
	for _, l := range d.logons {
		var limited []string
		ok := false
		for _, g := range d.cc.groupsOf(l.host, l.dst) {
			if len(g.allow) == 0 {
				continue
			}
			limited = append(limited, g.name)
			if globAny(lowerAll(g.allow), l.user) {
				ok = true
			}
		}
		if ok || len(limited) == 0 {
			continue
		}
		if b, isNew := k.add(l.host+"\x00"+l.user, l); isNew {
			grp[b] = strings.Join(limited, ", ")
		}
	}
	return k.findings(func(b *bucket) Finding {
		l := b.first
		return b.finding(m, fmt.Sprintf("%s is not on the allow-list of %s but logged on to %s %d time(s) from %s.",
			l.user, grp[b], l.host, b.n, top(b.srcs, 3)))
	})
}

// rulePasswordLogons: a host that accepts password logons at all
// (mitigation M1032: keys or MFA missing), one finding per host.
func rulePasswordLogons(m meta, d *data) []Finding {
	var k keyed
	for _, l := range d.logons {
		if d.cc.pwMethods[strings.ToLower(l.method)] {
			k.add(l.host, l)
		}
	}
	return k.findings(func(b *bucket) Finding {
		return b.finding(m, fmt.Sprintf("%s accepted %d password logon(s) by %d user(s) (%s) from %d source(s): password authentication is enabled.",
			b.key, b.n, len(b.users), top(b.users, 5), len(b.srcs)))
	})
}
