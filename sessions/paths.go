package sessions

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/sshtrail/sshtrail/schema"
)

// Path is one chain of hops: the first session came from Origin, each next
// session was opened from the host of the one before it while that one was
// open. Hops = len(Sessions) - 1.
type Path struct {
	Origin   string           `json:"origin"`
	Hops     int              `json:"hops"`
	Sessions []schema.Session `json:"sessions"`
}

// Paths returns every root-to-leaf chain of sessions linked by Parent that
// has at least minHops hops (minHops < 1 counts as 1: a single session is
// not a path). Failed logons end no path: a chain is where someone got in.
// Paths are ordered by the start of their first session. Used by
// `sshtrail paths`.
func Paths(sessions []schema.Session, minHops int) []Path {
	minHops = max(minHops, 1)
	by := make(map[string]*schema.Session, len(sessions))
	for i := range sessions {
		by[sessions[i].SID] = &sessions[i]
	}
	children := map[string][]*schema.Session{}
	for i := range sessions {
		s := &sessions[i]
		if s.Parent != "" && by[s.Parent] != nil && s.Outcome != schema.OutcomeFailure {
			children[s.Parent] = append(children[s.Parent], s)
		}
	}
	for _, c := range children {
		sort.SliceStable(c, func(i, j int) bool { return c[i].Start.Before(c[j].Start) })
	}
	var out []Path
	var walk func(chain []*schema.Session)
	walk = func(chain []*schema.Session) {
		last := chain[len(chain)-1]
		kids := children[last.SID]
		if len(kids) == 0 || len(chain) > len(sessions) {
			if len(chain)-1 >= minHops {
				p := Path{Origin: chain[0].SrcIP, Hops: len(chain) - 1}
				for _, s := range chain {
					p.Sessions = append(p.Sessions, *s)
				}
				out = append(out, p)
			}
			return
		}
		for _, k := range kids {
			walk(append(chain[:len(chain):len(chain)], k))
		}
	}
	for i := range sessions {
		s := &sessions[i]
		if (s.Parent == "" || by[s.Parent] == nil) && len(children[s.SID]) > 0 && s.Outcome != schema.OutcomeFailure {
			walk([]*schema.Session{s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Sessions[0].Start.Before(out[j].Sessions[0].Start) })
	return out
}

// String renders the path on one line, times in UTC:
//
//	198.51.100.23 → bastion01 (deploy, 02:47) → db02 (postgres, 03:05)
//
// Control characters from log content are escaped.
func (p Path) String() string {
	var b strings.Builder
	origin := p.Origin
	if origin == "" {
		origin = "?"
	}
	b.WriteString(inert(origin))
	for _, s := range p.Sessions {
		node := s.Host
		if node == "" {
			node = s.DstIP
		}
		if node == "" {
			node = "?"
		}
		b.WriteString(" → ")
		b.WriteString(inert(node))
		b.WriteString(" (")
		if s.User != "" {
			b.WriteString(inert(s.User))
			b.WriteString(", ")
		}
		if s.Start.IsZero() {
			b.WriteString("--:--")
		} else {
			b.WriteString(s.Start.UTC().Format("15:04"))
		}
		b.WriteString(")")
	}
	return b.String()
}

// inert escapes control characters so log content cannot drive a terminal.
func inert(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == unicode.ReplacementChar:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
