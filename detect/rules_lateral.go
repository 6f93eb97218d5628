package detect

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sshtrail/sshtrail/sessions"
)

// pathFindings turns the sessions package's paths into findings.
func pathFindings(m meta, d *data) []Finding {
	var out []Finding
	for _, p := range d.paths {
		first, last := p.Sessions[0], p.Sessions[len(p.Sessions)-1]
		f := m.finding(nil)
		hops := []string{orUnknown(p.Origin)}
		for _, s := range p.Sessions {
			f.SIDs = append(f.SIDs, s.SID)
			f.Events = append(f.Events, s.Events...)
			hop := s.Host
			if s.User != "" {
				hop = s.User + "@" + hop
			}
			hops = append(hops, hop)
		}
		f.TS, f.last = first.Start, last.Start
		f.Host, f.User, f.SrcIP, f.DstIP = last.Host, last.User, p.Origin, last.DstIP
		f.Summary = fmt.Sprintf("SSH lateral movement over %d hop(s): %s, from %s to %s.",
			p.Hops, strings.Join(hops, " -> "), stamp(first.Start), stamp(last.Start))
		if why := unusualChain(d, p); len(why) > 0 {
			f.Summary += " Unusual: " + strings.Join(why, "; ") + "."
		} else {
			// One account, by key, from inside, through its own hosts:
			// the daily work of that account's owner far more often than
			// an intrusion (a user's workstation -> their Mac -> git).
			f.Severity = SevLow
			f.Summary += " Ranked low: one account throughout, by key, from an internal address, none of them a service account."
		}
		out = append(out, f)
	}
	return out
}

// unusualChain lists what makes a chain worth a high severity: more than
// one account, a service account, a password logon, an external origin.
func unusualChain(d *data, p sessions.Path) []string {
	var why []string
	users := map[string]bool{}
	var names []string
	password, service := false, ""
	for _, s := range p.Sessions {
		if s.User != "" && !users[s.User] {
			users[s.User] = true
			names = append(names, s.User)
		}
		if s.Method == "password" || s.Method == "keyboard-interactive" {
			password = true
		}
		if ok, _ := d.cc.isService(s.User, ""); ok && service == "" {
			service = s.User
		}
	}
	if len(names) > 1 {
		why = append(why, "different accounts ("+strings.Join(names, ", ")+")")
	}
	if service != "" {
		why = append(why, "service account "+service)
	}
	if password {
		why = append(why, "a password logon")
	}
	if internetAddr(p.Origin) {
		why = append(why, "origin "+p.Origin+" is external")
	}
	return why
}

// ruleLateral: a chain of SSH logons A -> B -> C where each hop starts from
// a host while an SSH session into that host is open (DESIGN.md "hop").
//
// Hops count as in index/sessions: A -> B -> C is one session out of B
// during a session into B, so 1 hop over 2 sessions.
func ruleLateral(m meta, d *data) []Finding {
	if len(d.paths) > 0 {
		return pathFindings(m, d)
	}
	in := d.inboundSSH()
	parent := map[*rec]*rec{}
	parentOf := func(l *rec) *rec {
		if p, ok := parent[l]; ok {
			return p
		}
		var best *rec
		if a, err := netip.ParseAddr(l.src); err == nil {
			for _, iv := range in[a.Unmap()] {
				if iv.r == l || !iv.from.Before(l.ts) || l.ts.After(iv.to) {
					continue
				}
				if best == nil || iv.from.After(best.ts) {
					best = iv.r
				}
			}
		}
		parent[l] = best
		return best
	}
	nodes := d.allLogons()
	isParent := map[*rec]bool{}
	chains := map[*rec][]*rec{}
	for _, l := range nodes {
		chain := []*rec{l}
		seen := map[*rec]bool{l: true}
		for p := parentOf(l); p != nil && !seen[p] && len(chain) < 32; p = parentOf(p) {
			seen[p] = true
			isParent[p] = true
			chain = append(chain, p)
		}
		if len(chain)-1 >= d.cc.Thresholds.LateralHops {
			chains[l] = chain
		}
	}
	var out []Finding
	for _, l := range nodes {
		chain := chains[l]
		if chain == nil || isParent[l] {
			continue
		}
		b := &bucket{}
		hops := []string{orUnknown(chain[len(chain)-1].src)}
		for i := len(chain) - 1; i >= 0; i-- {
			b.add(chain[i])
			hop := chain[i].target
			if chain[i].user != "" {
				hop = chain[i].user + "@" + hop
			}
			hops = append(hops, hop)
		}
		f := b.finding(m, fmt.Sprintf("SSH lateral movement over %d hop(s): %s, from %s to %s.",
			len(chain)-1, strings.Join(hops, " -> "), stamp(chain[len(chain)-1].ts), stamp(l.ts)))
		f.Host, f.User, f.SrcIP = l.target, l.user, chain[len(chain)-1].src
		out = append(out, f)
	}
	return out
}
