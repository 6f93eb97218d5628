package sessions

import "time"

// joinZeek joins Zeek records A:port -> IP to host-log sessions on host B
// from A:port within the skew, and learns that B has address IP. The exact
// pass needs equal ports; the loose pass serves host logs without ports and
// needs B's address to be known already.
func (l *linked) joinZeek(bases []*sess, exact bool) {
	type key struct {
		ip   string
		port int
	}
	hosts := map[key][]*sess{}
	for _, s := range bases {
		if s.Kind == kindHost && !s.gone && s.ZeekUID == "" && s.S.SrcIP != "" {
			port := s.S.SrcPort
			if !exact {
				if port != 0 {
					continue
				}
			} else if port == 0 {
				continue
			}
			k := key{canonIP(s.S.SrcIP), port}
			hosts[k] = append(hosts[k], s)
		}
	}
	for _, z := range bases {
		if z.Kind != kindNet || z.gone || z.S.SrcIP == "" {
			continue
		}
		port := z.S.SrcPort
		if !exact {
			port = 0
		}
		var best *sess
		for _, h := range hosts[key{canonIP(z.S.SrcIP), port}] {
			// A host session whose start was wiped (only its disconnect and
			// close are left) joins the Zeek connection it lies inside.
			if h.ZeekUID != "" || !within(h.S.Start, z.S.Start, l.opts.Skew) && !(exact && !h.Began && inside(h.S.Start, z, l.opts.Skew)) {
				continue
			}
			if l.book.Known(h.S.Host) && !l.book.Has(h.S.Host, z.S.DstIP) {
				continue
			}
			if !exact && !l.book.Known(h.S.Host) {
				continue
			}
			if best == nil || absDur(h.S.Start.Sub(z.S.Start)) < absDur(best.S.Start.Sub(z.S.Start)) {
				best = h
			}
		}
		if best != nil {
			headless := !best.Began && z.S.Start.Before(best.S.Start.Add(-l.opts.Skew))
			l.fold(best, z)
			if headless {
				// The start and its time come from the network; the gap in
				// the host log is itself evidence (a wiped or cut log).
				best.S.Start = z.S.Start
				if !best.S.End.IsZero() {
					best.S.Duration = best.S.End.Sub(best.S.Start).Seconds()
				}
				best.S.Notes = appendOnce(best.S.Notes, "the host log lacks this logon's start (only its end is logged: wiped or cut?); start from Zeek")
			}
			l.book.learn(best.S.Host, z.S.DstIP)
		}
	}
}

// inside reports whether t lies within z's connection, give or take skew.
func inside(t time.Time, z *sess, skew time.Duration) bool {
	end := z.S.End
	if end.IsZero() {
		end = z.S.Start.Add(time.Duration(z.S.Duration * float64(time.Second)))
	}
	return !t.Before(z.S.Start.Add(-skew)) && !t.After(end.Add(skew))
}

func appendOnce(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}
