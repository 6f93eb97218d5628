package detect

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/sshtrail/sshtrail/index"
)

// loadSessions is where the sessions package's paths would be read; the
// lateral rule below rebuilds hops itself from logons and session ends, so
// it works on any index.
func (d *data) loadSessions(ctx context.Context, s *index.Store) error { return nil }

// ruleLateral: a chain of SSH logons A -> B -> C where each hop starts from
// a host while an SSH session into that host is open (DESIGN.md "hop").
func ruleLateral(m meta, d *data) []Finding {
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
		if len(chain) >= d.cc.Thresholds.LateralHops {
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
		f := b.finding(m, fmt.Sprintf("SSH lateral movement over %d hops: %s, from %s to %s.",
			len(chain), strings.Join(hops, " -> "), stamp(chain[len(chain)-1].ts), stamp(l.ts)))
		f.Host, f.User, f.SrcIP = l.target, l.user, chain[len(chain)-1].src
		out = append(out, f)
	}
	return out
}
