package index

import (
	"context"
	"fmt"
	"testing"
)

// A query prepared once answers every question as the Store's one-shot
// methods do, and its strategy is chosen by its shape.
func TestPrepared(t *testing.T) {
	s := newStore(t)
	ingest(t, s, testEvents())
	ctx := context.Background()
	for _, c := range []struct {
		q    string
		plan plan
	}{
		{"", planAll},
		{"*", planAll},
		{"user:root", planTerm},
		{`user:"root"`, planTerm},
		{"src_port:>=40023", planTerm},
		{`ts:>="2026-03-14T02:02:00Z"`, planTerm},
		{"src_ip:10.0.0.0/8", planTerm},
		{"(*)", planText}, // match-all in parentheses: answered in event numbers
		{`"Failed password" -preauth`, planText},
		{"password host:db02", planNarrow},
		{"user:root host:db02", planNarrow},
		{"NOT host:db02", planNarrow},
		{"password", planText},
		{"user:adm*", planNarrow},
	} {
		p, err := s.Prepare(Query{Q: c.q})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if p.plan != c.plan {
			t.Errorf("%q: plan %d, want %d", c.q, p.plan, c.plan)
		}
		if p.Query().Q != c.q {
			t.Errorf("%q: Query() = %+v", c.q, p.Query())
		}
		ask := func(count func() (uint64, error), page func() (*Result, error), facets func() ([]Facet, error), hist func() ([]Bucket, error)) string {
			n, err1 := count()
			r, err2 := page()
			f, err3 := facets()
			h, err4 := hist()
			var ids []string
			if r != nil {
				for _, ev := range r.Events {
					ids = append(ids, ev.ID)
				}
			}
			return fmt.Sprint(n, err1, ids, err2, f, err3, h, err4)
		}
		prepared := ask(func() (uint64, error) { return p.Count(ctx) },
			func() (*Result, error) { return p.Search(ctx, Page{Size: 3}) },
			func() ([]Facet, error) { return p.Facets(ctx, []string{"user", "host"}, 2) },
			func() ([]Bucket, error) { b, _, err := p.Histogram(ctx, 10); return b, err })
		q := Query{Q: c.q}
		oneShot := ask(func() (uint64, error) { return s.Count(ctx, q) },
			func() (*Result, error) { return s.Search(ctx, q, Page{Size: 3}) },
			func() ([]Facet, error) { return s.Facets(ctx, q, []string{"user", "host"}, 2) },
			func() ([]Bucket, error) { b, _, err := s.Histogram(ctx, q, 10); return b, err })
		if prepared != oneShot {
			t.Errorf("%q:\nprepared %s\none-shot %s", c.q, prepared, oneShot)
		}
	}
	s.noFastPaths = true
	if p, _ := s.Prepare(Query{}); p.plan != planBleve {
		t.Errorf("fast paths off: plan %d", p.plan)
	}
	s.noFastPaths = false
	if _, err := s.Prepare(Query{Q: "user:(unclosed"}); err == nil {
		t.Error("bad query prepared")
	}
	if _, err := s.Prepare(Query{Q: "user:root"}); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Prepare(Query{Q: "user:root"})
	if _, err := p.Facets(ctx, []string{"message"}, 3); err == nil {
		t.Error("facet on a field without doc values accepted")
	}
}
