package sessions

import (
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// linked is the outcome of the join: final sessions plus what was learned.
type linked struct {
	opts   Options
	all    []*sess // final sessions (folded ones removed), by start
	book   *AddrBook
	bySID  map[string]*sess
	byNode map[string][]*sess // node -> final sessions into it, by start
	final  map[*sess]*sess    // per-source session -> the final one it is in
}

// link joins per-source sessions into final sessions and sets parents.
// The builder state stored with a session is its bases' (s and s.merged)
// as they were before link changed them: the rebuild snapshots each base
// when it is built (spill.go).
func link(bases []*sess, clients []client, opts Options) *linked {
	opts = opts.withDefaults()
	l := &linked{opts: opts, book: newAddrBook(opts.Assets)}
	for _, s := range bases {
		if s.Kind == kindHost && s.S.DstIP != "" {
			l.book.learn(s.S.Host, s.S.DstIP)
		}
	}
	sort.SliceStable(bases, func(i, j int) bool { return less(bases[i], bases[j]) })
	l.mergeFormats(bases)
	l.joinZeek(bases, true)
	l.joinZeek(bases, false)
	for _, s := range bases {
		if s.gone {
			continue
		}
		if s.Kind == kindNet && s.S.Host == "" {
			s.S.Host = l.book.HostOf(s.S.DstIP)
		}
		// A host with one known address was reached on it.
		if a := l.book.Addresses(s.S.Host); s.S.DstIP == "" && len(a) == 1 {
			s.S.DstIP = a[0]
		}
		l.all = append(l.all, s)
	}
	l.bySID = make(map[string]*sess, len(l.all))
	l.byNode = map[string][]*sess{}
	l.final = map[*sess]*sess{}
	for _, s := range l.all {
		l.bySID[s.S.SID] = s
		l.byNode[s.node()] = append(l.byNode[s.node()], s)
		l.final[s] = s
		for _, m := range s.merged {
			l.final[m] = s
		}
	}
	l.linkClients(clients)
	l.hops()
	for _, s := range l.all {
		sort.SliceStable(s.S.Sources, func(i, j int) bool { return rank(s.S.Sources[i]) < rank(s.S.Sources[j]) })
	}
	return l
}

// rank orders sources: host logs first, then the network.
func rank(format string) int {
	i := slices.Index(formatOrder, format)
	if i < 0 {
		return len(formatOrder)
	}
	return i
}

var formatOrder = []string{schema.FormatAuthlog, schema.FormatJournal, schema.FormatUnified,
	schema.FormatAuditd, schema.FormatZeekSSH, schema.FormatZeekConn}

func within(a, b time.Time, d time.Duration) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() && b.IsZero()
	}
	x := a.Sub(b)
	return x <= d && x >= -d
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// mergeFormats folds the same connection seen twice on one host: by two
// sources (auth log and journald, or auditd), or by one source in pieces
// (a privsep child's line logged before its monitor's, out of order). One
// client address and port on one host within the skew is one TCP
// connection.
func (l *linked) mergeFormats(bases []*sess) {
	type key struct {
		host, ip string
		port     int
	}
	type pidKey struct {
		host string
		pid  int
	}
	seen := map[key][]*sess{}
	byPID := map[pidKey][]*sess{}
	for _, s := range bases {
		if s.Kind != kindHost {
			continue
		}
		// The same sshd seen by two sources (auditd records carry sshd's
		// pid but no client port): same host and pid, within the skew.
		if s.PID != 0 {
			pk := pidKey{s.S.Host, s.PID}
			merged := false
			for _, o := range byPID[pk] {
				if !o.gone && o.Format != s.Format && within(o.S.Start, s.S.Start, l.opts.Skew) &&
					same(o.S.User, s.S.User) && same(canonIP(o.S.SrcIP), canonIP(s.S.SrcIP)) {
					l.fold(o, s)
					merged = true
					break
				}
			}
			if merged {
				continue
			}
			byPID[pk] = append(byPID[pk], s)
		}
		if s.S.SrcIP == "" || s.S.SrcPort == 0 {
			continue
		}
		k := key{s.S.Host, canonIP(s.S.SrcIP), s.S.SrcPort}
		merged := false
		for _, o := range seen[k] {
			if within(o.S.Start, s.S.Start, l.opts.Skew) {
				l.fold(o, s)
				merged = true
				break
			}
		}
		if !merged {
			seen[k] = append(seen[k], s)
		}
	}
}

// same: equal, or one side unknown.
func same(a, b string) bool { return a == "" || b == "" || a == b }

// fold merges src into dst: dst keeps its sid, gains src's evidence.
func (l *linked) fold(dst, src *sess) {
	src.gone = true
	dst.merged = append(dst.merged, src)
	for _, f := range src.S.Sources {
		if !slices.Contains(dst.S.Sources, f) {
			dst.S.Sources = append(dst.S.Sources, f)
		}
	}
	dst.S.Events = append(dst.S.Events, src.S.Events...)
	fill := func(d *string, v string) {
		if *d == "" {
			*d = v
		}
	}
	fill(&dst.S.User, src.S.User)
	fill(&dst.S.DstIP, src.S.DstIP)
	fill(&dst.S.Method, src.S.Method)
	fill(&dst.S.KeyFP, src.S.KeyFP)
	fill(&dst.S.SrcIP, src.S.SrcIP)
	fill(&dst.Ses, src.Ses)
	fill(&dst.TTY, src.TTY)
	if dst.S.SrcPort == 0 {
		dst.S.SrcPort = src.S.SrcPort
	}
	for _, c := range src.S.Commands {
		if !slices.Contains(dst.S.Commands, c) {
			dst.S.Commands = append(dst.S.Commands, c)
		}
	}
	dst.BytesOut = max(dst.BytesOut, src.BytesOut)
	dst.BytesIn = max(dst.BytesIn, src.BytesIn)
	if src.Kind == kindNet {
		// The network saw the TCP connection end even when the host log did not.
		if dst.S.End.IsZero() && !src.S.End.IsZero() {
			dst.S.End = src.S.End
			dst.S.Duration = dst.S.End.Sub(dst.S.Start).Seconds()
		}
		if dst.DstPort == 0 {
			dst.DstPort = src.DstPort
		}
		if dst.ZeekUID == "" {
			dst.ZeekUID = src.ZeekUID
		}
		return
	}
	dst.Accepted = dst.Accepted || src.Accepted
	dst.Closed = dst.Closed || src.Closed
	dst.NFail = max(dst.NFail, src.NFail)
	dst.NInvalid = max(dst.NInvalid, src.NInvalid)
	dst.NAudit = max(dst.NAudit, src.NAudit)
	dst.PreFail = dst.PreFail || src.PreFail
	if src.S.End.After(dst.S.End) {
		dst.S.End = src.S.End
	}
	if src.Last.After(dst.Last) {
		dst.Last = src.Last
	}
	if !src.S.Start.IsZero() && src.S.Start.Before(dst.S.Start) {
		dst.S.Start = src.S.Start
	}
	dst.S.Duration = 0
	dst.finish()
}

// linkClients ties each ssh client process on host A to the session it ran
// in (on A) and to the session it opened (on B): the second's parent is the
// first, and its source address is one of A's.
func (l *linked) linkClients(clients []client) {
	for i := range clients {
		c := &clients[i]
		in := l.containing(c)
		child := l.opened(c)
		if child == nil {
			continue
		}
		child.S.Events = append(child.S.Events, c.EventID)
		if !slices.Contains(child.S.Sources, schema.FormatAuditd) {
			child.S.Sources = append(child.S.Sources, schema.FormatAuditd)
		}
		if in == nil || in == child {
			continue
		}
		if child.S.Parent == "" && !l.ancestor(in, child) {
			child.S.Parent = in.S.SID
		}
		l.book.learn(c.Host, child.S.SrcIP)
	}
}

// containing finds the login a client process ran in.
func (l *linked) containing(c *client) *sess {
	if s := l.final[c.in]; s != nil {
		return s
	}
	var best *sess
	for _, s := range l.byNode[c.Host] {
		if s.S.Host != c.Host || s.S.Outcome != schema.OutcomeSuccess {
			continue
		}
		if c.Ses != "" && s.Ses == c.Ses {
			return s
		}
		if s.S.User == c.User && openAt(s, c.TS, l.opts.Skew) && (best == nil || s.S.Start.After(best.S.Start)) {
			best = s
		}
	}
	return best
}

func openAt(s *sess, t time.Time, skew time.Duration) bool {
	if s.S.Start.After(t.Add(skew)) {
		return false
	}
	return s.S.End.IsZero() || !s.S.End.Add(skew).Before(t)
}

// opened finds the session a client process opened: on the host it named,
// starting within the skew of the process.
func (l *linked) opened(c *client) *sess {
	target, user := dstName(c.DstHost), ""
	if i := len(c.DstHost) - len(target) - 1; i > 0 {
		user = c.DstHost[:i]
	}
	var nodes []string
	if target != "" {
		if _, err := netip.ParseAddr(target); err == nil {
			nodes = append(nodes, l.book.nodeOf(target))
		} else {
			nodes = append(nodes, target)
		}
	}
	if c.DstIP != "" {
		nodes = append(nodes, l.book.nodeOf(c.DstIP))
	}
	var best *sess
	for _, s := range l.candidates(nodes) {
		if s.S.Host == c.Host && c.Host != "" {
			continue
		}
		if user != "" && s.S.User != "" && s.S.User != user {
			continue
		}
		if !within(s.S.Start, c.TS, l.opts.Skew) {
			continue
		}
		if best == nil || absDur(s.S.Start.Sub(c.TS)) < absDur(best.S.Start.Sub(c.TS)) {
			best = s
		}
	}
	return best
}

func (l *linked) candidates(nodes []string) []*sess {
	if len(nodes) == 1 {
		return l.byNode[nodes[0]]
	}
	var out []*sess
	for i, n := range nodes {
		if !slices.Contains(nodes[:i], n) {
			out = append(out, l.byNode[n]...)
		}
	}
	return out
}

// hops sets Parent for sessions that start from a host's address while a
// session into that host is open: the latest such session is the parent.
func (l *linked) hops() {
	byNode := map[string][]*sess{}
	for _, s := range l.all {
		// Without a time (masked Zeek baselines) a session cannot be placed.
		if hopEnd(s) && !s.S.Start.IsZero() {
			byNode[s.node()] = append(byNode[s.node()], s)
		}
	}
	for _, s := range l.all {
		if s.S.Parent != "" || s.S.SrcIP == "" || s.S.Start.IsZero() || !hopEnd(s) {
			continue
		}
		from := l.book.nodeOf(s.S.SrcIP)
		if from == s.node() {
			continue
		}
		// byNode lists are in start order: walk back from the last session
		// begun by then; the first one still open is the latest such.
		list := byNode[from]
		limit := s.S.Start.Add(l.opts.Skew)
		i := sort.Search(len(list), func(i int) bool { return list[i].S.Start.After(limit) })
		// Of the sessions open on the jump host when the hop began, the
		// one of the same user, else the latest: with alice and bob both on
		// bastion01, alice's hop to db02 as alice is hers even when bob
		// logged in after her. (A session that ended before the hop, beyond
		// the skew, is never a parent: openAt.)
		var best, latest *sess
		for i--; i >= 0; i-- {
			p := list[i]
			if p == s || !openAt(p, s.S.Start, l.opts.Skew) {
				continue
			}
			if latest == nil {
				latest = p
			}
			if s.S.User != "" && p.S.User == s.S.User {
				best = p
				break
			}
		}
		if best == nil {
			best = latest
		}
		if best != nil && !l.ancestor(best, s) {
			s.S.Parent = best.S.SID
		}
	}
}

// hopEnd says whether s can be either end of a hop: a host-log session
// only when it logged in (a scanner's connection never starts a path), a
// network-only one unless Zeek saw it fail (Zeek often cannot tell: its
// auth_success is then unset).
func hopEnd(s *sess) bool {
	if s.Kind == kindNet {
		return s.S.Outcome != schema.OutcomeFailure
	}
	return s.S.Outcome == schema.OutcomeSuccess
}

// ancestor reports whether a descends from b (following parents): making
// a the parent of b would then close a cycle.
func (l *linked) ancestor(a, b *sess) bool {
	for x, n := a, 0; x != nil && n <= len(l.all); n++ {
		if x == b {
			return true
		}
		x = l.bySID[x.S.Parent]
	}
	return false
}

// sessions returns the final sessions in start order.
func (l *linked) sessions() []schema.Session {
	out := make([]schema.Session, len(l.all))
	for i, s := range l.all {
		out[i] = s.S
	}
	return out
}

// group is the rebuild unit of a final session.
func group(s *sess) string {
	if s.Kind == kindHost {
		return s.S.Host
	}
	return ""
}
