package sessions

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// The rebuild links compact records instead of whole sessions: a per-source
// session as built is ~700 bytes plus its strings, and held for every
// session of a case they were most of the rebuild's heap (GC thrashing
// against the memory limit from 3M lines on). An lsess keeps only what the
// join's decisions read, strings interned; the whole session lies in the
// spill file, and the write replays the recorded folds on it (fold, the
// same code Build runs), a batch at a time. link (link.go) stays the
// in-memory answer key that the rebuild is tested against.

// sym is an interned string; 0 is "".
type sym uint32

// noSym matches no interned string: a looked-up string never seen.
const noSym = ^sym(0)

type symtab struct {
	ids   map[string]sym
	strs  []string
	canon []sym // canonIP of each, noSym until asked
}

func newSymtab() *symtab {
	return &symtab{ids: map[string]sym{"": 0}, strs: []string{""}, canon: []sym{0}}
}

func (t *symtab) intern(s string) sym {
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := sym(len(t.strs))
	t.ids[s] = id
	t.strs = append(t.strs, s)
	t.canon = append(t.canon, noSym)
	return id
}

// lookup is s's symbol without adding it (noSym when never seen).
func (t *symtab) lookup(s string) sym {
	if id, ok := t.ids[s]; ok {
		return id
	}
	return noSym
}

func (t *symtab) str(id sym) string { return t.strs[id] }

func (t *symtab) canonOf(id sym) sym {
	if c := t.canon[id]; c != noSym {
		return c
	}
	c := t.intern(canonIP(t.strs[id]))
	t.canon[id] = c
	return c
}

// lsess is what link decides by of one per-source session.
type lsess struct {
	sid              string
	start, end, last time.Time
	dur              float64 // network sessions: Zeek's duration (inside)
	ref              lref
	host, dst, user  sym
	src, ses, format sym
	outcome          sym
	srcPort, pid     int
	net              bool
	accepted, closed bool
	failed           bool // an attempt failed or a failure signal (finish)
	began, zeek      bool
	gone             bool
	merged           *[]lfold // folded into this one, in fold order
	parent           *lsess
	clientEvents     *[]string // ssh client processes that opened it
}

// lref is where a base's event ids and full state lie in the spill file
// (written one after the other).
type lref struct {
	off      int64
	nEv, nSt int32
	ok       bool
}

type lfold struct {
	s        *lsess
	headless bool // joinZeek took the start from the network (fold's note)
}

func (s *lsess) node() sym {
	if s.host != 0 {
		return s.host
	}
	return s.dst
}

func lless(a, b *lsess) bool {
	if !a.start.Equal(b.start) {
		return a.start.Before(b.start)
	}
	return a.sid < b.sid
}

// compact is s as link needs it.
func (t *symtab) compact(s *sess, ref lref) *lsess {
	return &lsess{
		sid: s.S.SID, start: s.S.Start, end: s.S.End, last: s.Last, dur: s.S.Duration, ref: ref,
		host: t.intern(s.S.Host), dst: t.intern(s.S.DstIP), user: t.intern(s.S.User),
		src: t.intern(s.S.SrcIP), ses: t.intern(s.Ses), format: t.intern(s.Format),
		outcome: t.intern(s.S.Outcome), srcPort: s.S.SrcPort, pid: s.PID,
		net: s.Kind == kindNet, accepted: s.Accepted, closed: s.Closed,
		failed: s.NFail > 0 || s.NInvalid > 0 || s.NAudit > 0 || s.PreFail,
		began:  s.Began, zeek: s.ZeekUID != "",
	}
}

// clinked is link's outcome over compact records.
type clinked struct {
	opts   Options
	t      *symtab
	all    []*lsess
	book   *AddrBook
	byNode map[sym][]*lsess
	final  map[*lsess]*lsess // only for the logins client processes ran in
	// success and failure are the outcome symbols (interned up front).
	success, failure sym
}

// clientL is a client process with the login it ran in as a compact record.
type clientL struct {
	client
	inL *lsess
}

// clink is link over compact records: the same decisions in the same
// order, recorded for the write to replay.
func clink(t *symtab, bases []*lsess, clients []clientL, opts Options) *clinked {
	opts = opts.withDefaults()
	l := &clinked{opts: opts, t: t, book: newAddrBook(opts.Assets),
		success: t.intern(schema.OutcomeSuccess), failure: t.intern(schema.OutcomeFailure)}
	for _, s := range bases {
		if !s.net && s.dst != 0 {
			l.book.learn(t.str(s.host), t.str(s.dst))
		}
	}
	sort.SliceStable(bases, func(i, j int) bool { return lless(bases[i], bases[j]) })
	l.mergeFormats(bases)
	l.joinZeek(bases, true)
	l.joinZeek(bases, false)
	for _, s := range bases {
		if s.gone {
			continue
		}
		if s.net && s.host == 0 {
			s.host = t.intern(l.book.HostOf(t.str(s.dst)))
		}
		if a := l.book.Addresses(t.str(s.host)); s.dst == 0 && len(a) == 1 {
			s.dst = t.intern(a[0])
		}
		l.all = append(l.all, s)
	}
	l.byNode = map[sym][]*lsess{}
	want := map[*lsess]bool{}
	for _, c := range clients {
		if c.inL != nil {
			want[c.inL] = true
		}
	}
	l.final = map[*lsess]*lsess{}
	for _, s := range l.all {
		l.byNode[s.node()] = append(l.byNode[s.node()], s)
		if want[s] {
			l.final[s] = s
		}
		if s.merged != nil {
			for _, m := range *s.merged {
				if want[m.s] {
					l.final[m.s] = s
				}
			}
		}
	}
	l.linkClients(clients)
	l.hops()
	return l
}

func (l *clinked) mergeFormats(bases []*lsess) {
	type key struct {
		host, ip sym
		port     int
	}
	type pidKey struct {
		host sym
		pid  int
	}
	same := func(a, b sym) bool { return a == 0 || b == 0 || a == b }
	seen := map[key][]*lsess{}
	byPID := map[pidKey][]*lsess{}
	for _, s := range bases {
		if s.net {
			continue
		}
		if s.pid != 0 {
			pk := pidKey{s.host, s.pid}
			merged := false
			for _, o := range byPID[pk] {
				if !o.gone && o.format != s.format && within(o.start, s.start, l.opts.Skew) &&
					same(o.user, s.user) && same(l.t.canonOf(o.src), l.t.canonOf(s.src)) {
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
		if s.src == 0 || s.srcPort == 0 {
			continue
		}
		k := key{s.host, l.t.canonOf(s.src), s.srcPort}
		merged := false
		for _, o := range seen[k] {
			if within(o.start, s.start, l.opts.Skew) {
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

// fold is linked.fold on what the decisions read; the write replays the
// whole fold.
func (l *clinked) fold(dst, src *lsess) {
	src.gone = true
	if dst.merged == nil {
		dst.merged = new([]lfold)
	}
	*dst.merged = append(*dst.merged, lfold{s: src})
	fill := func(d *sym, v sym) {
		if *d == 0 {
			*d = v
		}
	}
	fill(&dst.user, src.user)
	fill(&dst.dst, src.dst)
	fill(&dst.src, src.src)
	fill(&dst.ses, src.ses)
	if dst.srcPort == 0 {
		dst.srcPort = src.srcPort
	}
	if src.net {
		if dst.end.IsZero() && !src.end.IsZero() {
			dst.end = src.end
		}
		dst.zeek = dst.zeek || src.zeek
		return
	}
	dst.accepted = dst.accepted || src.accepted
	dst.closed = dst.closed || src.closed
	dst.failed = dst.failed || src.failed
	if src.end.After(dst.end) {
		dst.end = src.end
	}
	if src.last.After(dst.last) {
		dst.last = src.last
	}
	if !src.start.IsZero() && src.start.Before(dst.start) {
		dst.start = src.start
	}
	// sess.finish: the outcome, and the end of a connection that never
	// logged in.
	switch {
	case dst.accepted:
		dst.outcome = l.success
	case dst.failed:
		dst.outcome = l.failure
	default:
		dst.outcome = l.t.intern(schema.OutcomeUnknown)
	}
	if !dst.accepted && dst.end.IsZero() {
		dst.end = dst.last
	}
}

func (l *clinked) joinZeek(bases []*lsess, exact bool) {
	type key struct {
		ip   sym
		port int
	}
	hosts := map[key][]*lsess{}
	for _, s := range bases {
		if !s.net && !s.gone && !s.zeek && s.src != 0 {
			port := s.srcPort
			if !exact {
				if port != 0 {
					continue
				}
			} else if port == 0 {
				continue
			}
			k := key{l.t.canonOf(s.src), port}
			hosts[k] = append(hosts[k], s)
		}
	}
	for _, z := range bases {
		if !z.net || z.gone || z.src == 0 {
			continue
		}
		port := z.srcPort
		if !exact {
			port = 0
		}
		zdst := l.t.str(z.dst)
		var best *lsess
		for _, h := range hosts[key{l.t.canonOf(z.src), port}] {
			if h.zeek || !within(h.start, z.start, l.opts.Skew) && !(exact && !h.began && l.inside(h.start, z)) {
				continue
			}
			host := l.t.str(h.host)
			if l.book.Known(host) && !l.book.Has(host, zdst) {
				continue
			}
			if !exact && !l.book.Known(host) {
				continue
			}
			if best == nil || absDur(h.start.Sub(z.start)) < absDur(best.start.Sub(z.start)) {
				best = h
			}
		}
		if best != nil {
			headless := !best.began && z.start.Before(best.start.Add(-l.opts.Skew))
			l.fold(best, z)
			if headless {
				best.start = z.start
				(*best.merged)[len(*best.merged)-1].headless = true
			}
			l.book.learn(l.t.str(best.host), zdst)
		}
	}
}

func (l *clinked) inside(t time.Time, z *lsess) bool {
	end := z.end
	if end.IsZero() {
		end = z.start.Add(time.Duration(z.dur * float64(time.Second)))
	}
	return !t.Before(z.start.Add(-l.opts.Skew)) && !t.After(end.Add(l.opts.Skew))
}

func (l *clinked) linkClients(clients []clientL) {
	for i := range clients {
		c := &clients[i]
		in := l.containing(c)
		child := l.opened(c)
		if child == nil {
			continue
		}
		if child.clientEvents == nil {
			child.clientEvents = new([]string)
		}
		*child.clientEvents = append(*child.clientEvents, c.EventID)
		if in == nil || in == child {
			continue
		}
		if child.parent == nil && !l.ancestor(in, child) {
			child.parent = in
		}
		l.book.learn(c.Host, l.t.str(child.src))
	}
}

func (l *clinked) containing(c *clientL) *lsess {
	if s := l.final[c.inL]; s != nil {
		return s
	}
	host, ses, user := l.t.lookup(c.Host), l.t.lookup(c.Ses), l.t.lookup(c.User)
	var best *lsess
	for _, s := range l.byNode[host] {
		if s.host != host || s.outcome != l.success {
			continue
		}
		if c.Ses != "" && s.ses == ses {
			return s
		}
		if s.user == user && l.openAt(s, c.TS) && (best == nil || s.start.After(best.start)) {
			best = s
		}
	}
	return best
}

func (l *clinked) openAt(s *lsess, t time.Time) bool {
	if s.start.After(t.Add(l.opts.Skew)) {
		return false
	}
	return s.end.IsZero() || !s.end.Add(l.opts.Skew).Before(t)
}

func (l *clinked) opened(c *clientL) *lsess {
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
	var cands []*lsess
	for i, n := range nodes {
		if !slices.Contains(nodes[:i], n) {
			cands = append(cands, l.byNode[l.t.lookup(n)]...)
		}
	}
	host, u := l.t.lookup(c.Host), l.t.lookup(user)
	var best *lsess
	for _, s := range cands {
		if s.host == host && c.Host != "" {
			continue
		}
		if user != "" && s.user != 0 && s.user != u {
			continue
		}
		if !within(s.start, c.TS, l.opts.Skew) {
			continue
		}
		if best == nil || absDur(s.start.Sub(c.TS)) < absDur(best.start.Sub(c.TS)) {
			best = s
		}
	}
	return best
}

func (l *clinked) hopEnd(s *lsess) bool {
	if s.net {
		return s.outcome != l.failure
	}
	return s.outcome == l.success
}

func (l *clinked) hops() {
	byNode := map[sym][]*lsess{}
	for _, s := range l.all {
		if l.hopEnd(s) && !s.start.IsZero() {
			byNode[s.node()] = append(byNode[s.node()], s)
		}
	}
	for _, s := range l.all {
		if s.parent != nil || s.src == 0 || s.start.IsZero() || !l.hopEnd(s) {
			continue
		}
		from := l.t.lookup(l.book.nodeOf(l.t.str(s.src)))
		if from == s.node() {
			continue
		}
		list := byNode[from]
		limit := s.start.Add(l.opts.Skew)
		i := sort.Search(len(list), func(i int) bool { return list[i].start.After(limit) })
		var best, latest *lsess
		for i--; i >= 0; i-- {
			p := list[i]
			if p == s || !l.openAt(p, s.start) {
				continue
			}
			if latest == nil {
				latest = p
			}
			if s.user != 0 && p.user == s.user {
				best = p
				break
			}
		}
		if best == nil {
			best = latest
		}
		if best != nil && !l.ancestor(best, s) {
			s.parent = best
		}
	}
}

func (l *clinked) ancestor(a, b *lsess) bool {
	for x, n := a, 0; x != nil && n <= len(l.all); n++ {
		if x == b {
			return true
		}
		x = x.parent
	}
	return false
}

// spill file side of the compact rebuild

// putL spills s whole (its ids, and its state as built) and returns its
// compact record.
func (p *spill) putL(t *symtab, s *sess) *lsess {
	ids := s.S.Events
	s.S.Events = nil
	s.EvOff, s.EvN = 0, 0
	js, err := json.Marshal(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	ev := p.write(index.PackEventIDs(ids))
	st := p.write(js)
	ref := lref{off: ev.off, nEv: ev.n, nSt: st.n, ok: true}
	if ev.n == 0 {
		ref.off = st.off
	}
	return t.compact(s, ref)
}

// load reads a base back whole, with its own event ids.
func (p *spill) load(s *lsess) (*sess, []string, []byte, error) {
	if !s.ref.ok {
		return nil, nil, nil, fmt.Errorf("sessions: %s was never spilled", s.sid)
	}
	packed, err := p.read(spillRef{off: s.ref.off, n: s.ref.nEv})
	if err != nil {
		return nil, nil, nil, err
	}
	ids, err := index.UnpackEventIDs(packed)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sessions: spill file: %w", err)
	}
	js, err := p.read(spillRef{off: s.ref.off + int64(s.ref.nEv), n: s.ref.nSt})
	if err != nil {
		return nil, nil, nil, err
	}
	b := &sess{}
	if err := json.Unmarshal(js, b); err != nil {
		return nil, nil, nil, fmt.Errorf("sessions: spill file: %s: %w", s.sid, err)
	}
	return b, ids, js, nil
}

// replay makes the final session f stands for: its base read back, the
// folds link recorded replayed in their order, then what link decided
// (host and address, client events, parent). It returns the session as
// stored (event ids included) and its builder state (final's).
func (l *clinked) replay(p *spill, f *lsess) (*sess, []byte, error) {
	d, ids, js, err := p.load(f)
	if err != nil {
		return nil, nil, err
	}
	var states [][]byte
	if d.Kind == kindHost {
		states = append(states, withBlock(js, 0, len(ids)))
	}
	var folder linked
	if f.merged != nil {
		for _, m := range *f.merged {
			src, own, js, err := p.load(m.s)
			if err != nil {
				return nil, nil, err
			}
			if src.Kind == kindHost {
				states = append(states, withBlock(js, len(ids), len(own)))
			}
			ids = append(ids, own...)
			folder.fold(d, src)
			if m.headless {
				headless(d, src)
			}
		}
	}
	if d.S.User != l.t.str(f.user) || d.S.SrcIP != l.t.str(f.src) || d.S.SrcPort != f.srcPort ||
		!d.S.Start.Equal(f.start) || !d.S.End.Equal(f.end) || d.S.Outcome != l.t.str(f.outcome) {
		return nil, nil, fmt.Errorf("sessions: replay of %s diverged from its link", f.sid)
	}
	d.S.Host, d.S.DstIP = l.t.str(f.host), l.t.str(f.dst)
	if f.clientEvents != nil {
		ids = append(ids, *f.clientEvents...)
		if !slices.Contains(d.S.Sources, schema.FormatAuditd) {
			d.S.Sources = append(d.S.Sources, schema.FormatAuditd)
		}
	}
	if f.parent != nil {
		d.S.Parent = f.parent.sid
	}
	sort.SliceStable(d.S.Sources, func(i, j int) bool { return rank(d.S.Sources[i]) < rank(d.S.Sources[j]) })
	d.S.Events = ids
	return d, stateOf(states), nil
}

// headless is joinZeek's note on a host session whose start only the
// network saw.
func headless(best, z *sess) {
	best.S.Start = z.S.Start
	if !best.S.End.IsZero() {
		best.S.Duration = best.S.End.Sub(best.S.Start).Seconds()
	}
	best.S.Notes = appendOnce(best.S.Notes, "the host log lacks this logon's start (only its end is logged: wiped or cut?); start from Zeek")
}
