package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sshtrail/sshtrail/schema"
)

// fastPathEvents spreads events unevenly over ~300 hours: bursts, quiet
// days, rare users and many equal timestamps (ties broken by id).
func fastPathEvents() []*schema.Event {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	users := []string{"root", "root", "root", "admin", "deploy", "oracle", "alice"}
	actions := []string{schema.ActionAuthFailure, schema.ActionAuthFailure, schema.ActionAuthSuccess, schema.ActionSessionOpen, schema.ActionDisconnect}
	var evs []*schema.Event
	for i := 0; i < 6000; i++ {
		h := r.IntN(300)
		if i%3 == 0 {
			h = 200 + r.IntN(4) // a burst
		}
		ts := base.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(120))*time.Second)
		user := users[r.IntN(len(users))]
		if i%1500 == 7 {
			user = "rare"
		}
		act := actions[r.IntN(len(actions))]
		msg := fmt.Sprintf("Failed password for %s from 10.%d.0.%d port %d ssh2", user, i%3, i%250, 40000+i)
		if act != schema.ActionAuthFailure {
			msg = fmt.Sprintf("Accepted publickey for %s from 192.0.2.%d port %d ssh2", user, i%250, 40000+i)
		}
		evs = append(evs, &schema.Event{
			ID: schema.EventID("fast", int64(i), msg), TS: ts, Format: schema.FormatAuthlog, File: "auth.log",
			Line: int64(i + 1), Host: fmt.Sprintf("h%d", i%5), Action: act, Outcome: schema.OutcomeFailure,
			User: user, SrcIP: fmt.Sprintf("10.%d.0.%d", i%3, i%250), SrcPort: 40000 + i, Message: msg,
		})
	}
	return evs
}

// Every fast path (dictionary counts, facets and hours, time-windowed
// pages) must answer exactly what Bleve's collectors answer.
func TestFastPathsAgreeWithBleve(t *testing.T) {
	s := newStore(t)
	w := s.NewWriter(700) // several segments
	for _, ev := range fastPathEvents() {
		if err := w.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	oldHits, oldWin := fullSortHits, minWindowEvents
	fullSortHits, minWindowEvents = 10, 1 // window even small result sets, from tiny windows
	defer func() { fullSortHits, minWindowEvents = oldHits, oldWin }()
	ctx := context.Background()
	both := func(fn func() any) (fast, slow any) {
		s.noFastPaths = false
		fast = fn()
		s.noFastPaths = true
		slow = fn()
		s.noFastPaths = false
		return
	}
	ids := func(r *Result) []string {
		var out []string
		for _, ev := range r.Events {
			out = append(out, ev.ID)
		}
		return out
	}
	since := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	until := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	queries := []Query{
		{}, {Q: "*"}, {Q: "user:root"}, {Q: "user:rare"}, {Q: "user:nobody"},
		{Q: "action:auth_failure"}, {Q: "user:root AND NOT host:h1"},
		{Q: "src_ip:10.1.0.0/16"}, {Q: "src_ip:10.0.0.0/8"}, {Q: "src_ip:10.0.0.0/15"}, {Q: "src_ip:10.1.0.128/25"}, {Q: "src_ip:0.0.0.0/0 AND NOT src_ip:10.2.0.0/16"}, {Q: `"Failed password"`},
		{Q: "user:root", Since: since, Until: until}, {Since: since}, {Until: until},
	}
	pages := []Page{
		{Size: 50}, {Size: 50, Oldest: true}, {Size: 7, From: 100}, {Size: 200, From: 30, Oldest: true},
	}
	for _, q := range queries {
		name := fmt.Sprintf("%q since=%v until=%v", q.Q, !q.Since.IsZero(), !q.Until.IsZero())
		fast, slow := both(func() any { n, err := s.Count(ctx, q); return fmt.Sprint(n, err) })
		if fast != slow {
			t.Errorf("%s: count %v, Bleve says %v", name, fast, slow)
		}
		for _, p := range pages {
			fast, slow := both(func() any {
				r, err := s.Search(ctx, q, p)
				if err != nil {
					return err.Error()
				}
				return fmt.Sprint(r.Total, ids(r))
			})
			if fast != slow {
				t.Errorf("%s page %+v:\nfast %v\nslow %v", name, p, fast, slow)
			}
		}
		for _, oldest := range []bool{false, true} {
			// Search-after paging walks the same events in the same order.
			fast, slow := both(func() any {
				var all []string
				var after []string
				for i := 0; i < 12; i++ {
					r, err := s.Search(ctx, q, Page{Size: 197, Oldest: oldest, After: after})
					if err != nil {
						return err.Error()
					}
					all = append(all, ids(r)...)
					if len(r.Events) < 197 {
						break
					}
					after = r.Sort[len(r.Sort)-1]
				}
				return all
			})
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("%s: paging oldest=%v differs (%d vs %d events)", name, oldest, len(fast.([]string)), len(slow.([]string)))
			}
		}
		// Narrowed facets count by postings intersection, or by doc values
		// for fields with many values: both ways.
		for _, limit := range []int{1024, 4} {
			bitmapTermsMax = limit
			fast, slow = both(func() any {
				f, err := s.Facets(ctx, q, []string{"user", "src_ip", "host", "action"}, 3)
				return fmt.Sprint(f, err)
			})
			if fast != slow {
				t.Errorf("%s: facets (postings up to %d values)\nfast %v\nslow %v", name, limit, fast, slow)
			}
		}
		bitmapTermsMax = 1024
		fast, slow = both(func() any {
			h, step, err := s.Histogram(ctx, q, 60)
			return fmt.Sprint(h, step, err)
		})
		if fast != slow {
			t.Errorf("%s: histogram differs", name)
		}
		// Facets and hours have no Bleve twin any more (most event fields
		// keep no doc values): the answer key is the events themselves,
		// read through Bleve's collectors.
		counts := map[string]map[string]int{"user": {}, "src_ip": {}, "host": {}, "action": {}, hourField: {}}
		hits := 0
		s.noFastPaths = true
		err := s.Each(ctx, q, func(ev *schema.Event) error {
			hits++
			for f, v := range map[string]string{"user": ev.User, "src_ip": ev.SrcIP, "host": ev.Host, "action": ev.Action, hourField: ev.TS.UTC().Format(hourLayout)} {
				if v != "" {
					counts[f][v]++
				}
			}
			return nil
		})
		s.noFastPaths = false
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{1024, 4} {
			bitmapTermsMax = limit
			for _, fast := range []bool{true, false} {
				s.noFastPaths = !fast
				fs, err := s.Facets(ctx, q, []string{"user", "src_ip", "host", "action"}, 3)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fs {
					if want := topTerms(f.Field, counts[f.Field], 3, hits); fmt.Sprint(f) != fmt.Sprint(want) {
						t.Errorf("%s: facet %s (postings up to %d values, fast %v)\n got %v\nwant %v", name, f.Field, limit, fast, f, want)
					}
				}
				hours, err := (func() ([]FacetTerm, error) {
					p, err := s.Prepare(q)
					if err != nil {
						return nil, err
					}
					return p.hourCounts(ctx)
				})()
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, h := range hours {
					got[h.Term] = h.Count
				}
				if !reflect.DeepEqual(got, counts[hourField]) && !(len(got) == 0 && len(counts[hourField]) == 0) {
					t.Errorf("%s: hours (fast %v) differ from the events' (%d vs %d hours)", name, fast, len(got), len(counts[hourField]))
				}
			}
			s.noFastPaths = false
		}
		bitmapTermsMax = 1024
	}
	// A block that is not whole octets: 10.0.0.0/15 is 10.0.x.x and 10.1.x.x.
	c15, _ := s.Count(ctx, Query{Q: "src_ip:10.0.0.0/15"})
	c0, _ := s.Count(ctx, Query{Q: "src_ip:10.0.0.0/16"})
	c1, _ := s.Count(ctx, Query{Q: "src_ip:10.1.0.0/16"})
	if c15 == 0 || c15 != c0+c1 || c0 != 2000 {
		t.Errorf("CIDR counts /15=%d, 10.0/16=%d, 10.1/16=%d", c15, c0, c1)
	}
	// The windowed page really is windowed: its answer for everything
	// comes from a few hours.
	n, _ := s.Count(ctx, Query{})
	if n != 6000 {
		t.Fatalf("count %d", n)
	}
	r, ok, err := s.windowSearch(ctx, Query{}, mustCompile(t, s), Page{Size: 10}, n)
	if err != nil || !ok || r.Total >= 6000 {
		t.Fatalf("window search of everything: ok=%v err=%v total=%v", ok, err, r)
	}
}

func mustCompile(t *testing.T, s *Store) query.Query {
	t.Helper()
	q, err := s.compile(context.Background(), Query{}, TypeEvent)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
