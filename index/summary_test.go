package index

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Summarize answers what Search, Count and Facets answer, in one request.
func TestSummarize(t *testing.T) {
	s := newStore(t)
	ingest(t, s, testEvents())
	ctx := context.Background()
	q := Query{Q: "host:bastion01 OR user:alice"}
	sum, err := s.Summarize(ctx, TypeEvent, q, SummaryOptions{Size: 2, SortBy: []string{"ts"},
		Facets: map[string]int{"user": 2, "tsh": 100, "action": 10}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, q, Page{Size: 2, Oldest: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 4 || sum.Total != res.Total || len(sum.IDs) != 2 || sum.IDs[0] != res.Events[0].ID || sum.IDs[1] != res.Events[1].ID {
		t.Fatalf("summary %+v, search %+v", sum, res)
	}
	if sum.Sort[0][0] != FormatTS(res.Events[0].TS) || sum.Sessions != nil {
		t.Errorf("sort key %v, want %s", sum.Sort[0], FormatTS(res.Events[0].TS))
	}
	fs, err := s.Facets(ctx, q, []string{"user", "action"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sum.Facets["user"]) != fmt.Sprint(fs[0]) {
		t.Errorf("user facet %+v, Facets says %+v", sum.Facets["user"], fs[0])
	}
	if a := sum.Facets["action"]; len(a.Terms) != 2 || a.Total != 4 {
		t.Errorf("action facet %+v", a)
	}
	if h := sum.Facets["tsh"]; len(h.Terms) != 1 || h.Terms[0] != (FacetTerm{"2026-03-14T02", 4}) {
		t.Errorf("hours %+v", h)
	}
	if _, err := s.Summarize(ctx, TypeEvent, Query{Q: "user:(unclosed"}, SummaryOptions{}); err == nil {
		t.Error("bad query accepted")
	}

	// Sessions: the hits are the sessions, newest first by default.
	base := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	var docs []SessionDoc
	for i, u := range []string{"alice", "bob", "alice"} {
		docs = append(docs, SessionDoc{Session: schema.Session{SID: fmt.Sprint("s", i), Host: "db02", User: u,
			Start: base.Add(time.Duration(i) * time.Hour), Outcome: schema.OutcomeSuccess}})
	}
	if err := s.PutSessions(ctx, docs); err != nil {
		t.Fatal(err)
	}
	ss, err := s.Summarize(ctx, TypeSession, Query{Q: "host:db02"}, SummaryOptions{Size: 2, Facets: map[string]int{"user": 5}})
	if err != nil {
		t.Fatal(err)
	}
	if ss.Total != 3 || len(ss.Sessions) != 2 || ss.Sessions[0].SID != "s2" || ss.IDs[1] != "s1" {
		t.Fatalf("sessions summary %+v", ss)
	}
	if u := ss.Facets["user"]; len(u.Terms) != 2 || u.Terms[0] != (FacetTerm{"alice", 2}) {
		t.Errorf("session user facet %+v", u)
	}
}
