package detect

import (
	"sort"
	"strings"
	"time"
)

// bucket gathers the evidence of one finding.
type bucket struct {
	key         string
	first, last *rec
	n           int
	ev          evidence
	users       map[string]int
	hosts       map[string]int
	srcs        map[string]int
	seen        map[string]int // sources that saw the attempts (rec.seen)
}

func (b *bucket) add(r *rec) {
	if b.first == nil {
		b.first = r
	}
	b.last = r
	b.n++
	b.ev.add(r)
	b.users = inc(b.users, r.user)
	b.hosts = inc(b.hosts, r.target)
	b.srcs = inc(b.srcs, r.src)
	if r.seen != "" {
		for _, f := range strings.Split(r.seen, ", ") {
			b.seen = inc(b.seen, f)
		}
	}
}

// sources are the formats that saw the bucket's attempts, sorted.
func (b *bucket) sources() []string {
	out := make([]string, 0, len(b.seen))
	for f := range b.seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// seenNote says, when more than one source saw the attempts, that each was
// counted once.
func (b *bucket) seenNote() string {
	if len(b.seen) < 2 {
		return ""
	}
	return " Seen by " + strings.Join(b.sources(), " and ") + "; each attempt counted once."
}

func inc(m map[string]int, k string) map[string]int {
	if k == "" {
		return m
	}
	if m == nil {
		m = map[string]int{}
	}
	m[k]++
	return m
}

// finding fills the common fields: host/user/src only when they are one.
func (b *bucket) finding(m meta, summary string) Finding {
	f := m.finding(nil)
	f.Host, f.User, f.SrcIP = only(b.hosts), only(b.users), only(b.srcs)
	if b.first != nil && b.first.k == kZeekSSH || b.first != nil && b.first.dst != "" {
		f.DstIP = b.first.dst
	}
	f.Summary = summary
	f.Sources = b.sources()
	b.ev.fill(&f, b.first, b.last)
	return f
}

func only(m map[string]int) string {
	if len(m) == 1 {
		for k := range m {
			return k
		}
	}
	return ""
}

// top lists up to n keys of m, most frequent first, for summaries.
func top(m map[string]int, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	more := ""
	if len(keys) > n {
		more = ", …"
		keys = keys[:n]
	}
	return strings.Join(keys, ", ") + more
}

// groupBy splits time-sorted recs by key, keeping order; "" keys are dropped.
func groupBy(rs []*rec, key func(*rec) string) (map[string][]*rec, []string) {
	m := map[string][]*rec{}
	var order []string
	for _, r := range rs {
		k := key(r)
		if k == "" {
			continue
		}
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = append(m[k], r)
	}
	return m, order
}

// clusters splits time-sorted recs where two neighbours are more than gap apart.
func clusters(rs []*rec, gap time.Duration) [][]*rec {
	var out [][]*rec
	start := 0
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || rs[i].ts.Sub(rs[i-1].ts) > gap {
			out = append(out, rs[start:i])
			start = i
		}
	}
	return out
}

// peak is the largest number of recs inside any window of length w, and
// with distinct, the largest number of distinct keys.
func peak(rs []*rec, w time.Duration, key func(*rec) string) int {
	if key == nil { // plain count: two pointers, no map
		best, i := 0, 0
		for j, r := range rs {
			for r.ts.Sub(rs[i].ts) >= w {
				i++
			}
			best = max(best, j-i+1)
		}
		return best
	}
	best := 0
	counts := map[string]int{}
	distinct := 0
	i := 0
	for j, r := range rs {
		k := ""
		if key != nil {
			k = key(r)
		}
		if counts[k]++; counts[k] == 1 {
			distinct++
		}
		for r.ts.Sub(rs[i].ts) >= w {
			ki := ""
			if key != nil {
				ki = key(rs[i])
			}
			if counts[ki]--; counts[ki] == 0 {
				distinct--
			}
			i++
		}
		v := j - i + 1
		if key != nil {
			v = distinct
		}
		best = max(best, v)
	}
	return best
}

// keyed collects buckets by key in first-seen order.
type keyed struct {
	m     map[string]*bucket
	order []string
}

// add puts r in the bucket of key and reports whether the bucket is new.
func (k *keyed) add(key string, r *rec) (b *bucket, isNew bool) {
	if k.m == nil {
		k.m = map[string]*bucket{}
	}
	b = k.m[key]
	if b == nil {
		b = &bucket{key: key}
		k.m[key] = b
		k.order = append(k.order, key)
		isNew = true
	}
	b.add(r)
	return b, isNew
}

// findings makes one finding per bucket, in order.
func (k *keyed) findings(fn func(b *bucket) Finding) []Finding {
	out := make([]Finding, 0, len(k.order))
	for _, key := range k.order {
		out = append(out, fn(k.m[key]))
	}
	return out
}
