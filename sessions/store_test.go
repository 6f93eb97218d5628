package sessions

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

func openStore(t testing.TB) *index.Store {
	t.Helper()
	st, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ingest(t testing.TB, st *index.Store, evs []*schema.Event) {
	t.Helper()
	w := st.NewWriter(0)
	for _, ev := range evs {
		if err := w.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRebuildSearchPivot(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	evs := scenario()
	opts := Options{Assets: map[string][]string{"bastion01": {"10.0.1.10"}}}
	// First import: everything but build07's log.
	var first, later []*schema.Event
	for _, ev := range evs {
		if ev.Host == "build07" {
			later = append(later, ev)
		} else {
			first = append(first, ev)
		}
	}
	ingest(t, st, first)
	stats, err := Rebuild(ctx, st, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sessions != 3 || stats.Written != 3 || stats.Deleted != 0 {
		t.Fatalf("first rebuild: %+v", stats)
	}
	// Rebuilding again changes nothing.
	if stats, err = Rebuild(ctx, st, opts, nil); err != nil || stats.Written != 0 || stats.Deleted != 0 {
		t.Fatalf("idempotent rebuild: %+v %v", stats, err)
	}
	// build07 arrives: only its host is re-read; bastion01/db02 come from state.
	ingest(t, st, later)
	stats, err = Rebuild(ctx, st, opts, []string{"build07"})
	if err != nil {
		t.Fatal(err)
	}
	// 1 new session written; db02's gains nothing, bastion01 unchanged.
	if stats.Sessions != 4 || stats.Written != 1 || stats.Deleted != 0 {
		t.Fatalf("incremental rebuild: %+v", stats)
	}
	full := Build(evs, opts)
	all, err := List(ctx, st, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(full) {
		t.Fatalf("stored %d sessions, full build %d", len(all), len(full))
	}
	for i := range full {
		if full[i].SID != all[i].SID || full[i].Parent != all[i].Parent || !slices.Equal(full[i].Sources, all[i].Sources) {
			t.Errorf("incremental != full at %d:\n%+v\n%+v", i, all[i], full[i])
		}
	}
	if got := Paths(all, 1); len(got) != 2 {
		t.Errorf("paths = %v", got)
	}

	res, err := st.SearchSessions(ctx, index.Query{Q: "user:postgres"}, index.Page{})
	if err != nil || res.Total != 1 || res.Sessions[0].Host != "db02" {
		t.Fatalf("search --sessions user:postgres: %+v %v", res, err)
	}
	for q, want := range map[string]uint64{
		"sources:zeek_ssh":              2,
		"sources:auditd":                2,
		"src_ip:10.0.0.0/8":             3,
		"failures:>=1":                  1,
		`commands:"ssh root@build07"`:   1,
		"end:*":                         2,
		"outcome:success -host:db02":    2,
		"bytes_in:>8000":                1,
		"ts:>=\"2026-03-14T03:00:00Z\"": 3,
		"events:" + evs[0].ID:           1,
	} {
		n, err := st.CountSessions(ctx, index.Query{Q: q})
		if err != nil || n != want {
			t.Errorf("sessions %q = %d (%v), want %d", q, n, err, want)
		}
	}
	// Events are not sessions and sessions are not events.
	if n, _ := st.Count(ctx, index.Query{Q: "user:postgres"}); n != 4 {
		t.Errorf("events user:postgres = %d, want 4", n)
	}

	for _, c := range []struct {
		f    Filter
		want int
	}{
		{Filter{User: "deploy"}, 1},
		{Filter{Host: "db02"}, 1},
		{Filter{Src: "10.0.2.20"}, 2}, // build07 and the Zeek-only one
		{Filter{Src: "10.0.0.0/8"}, 3},
		{Filter{Since: t0.Add(30 * time.Minute)}, 4},                                  // db02 (ends 03:35), Zeek-only (03:20), bastion01 and build07 open
		{Filter{Since: t0.Add(56 * time.Minute)}, 2},                                  // only open ones: bastion01, build07
		{Filter{Until: t0.Add(20 * time.Minute)}, 1},                                  // bastion01
		{Filter{Since: t0.Add(41 * time.Minute), Until: t0.Add(50 * time.Minute)}, 2}, // bastion01, db02
	} {
		got, err := List(ctx, st, c.f)
		if err != nil || len(got) != c.want {
			t.Errorf("List(%+v) = %d sessions (%v), want %d", c.f, len(got), err, c.want)
		}
	}

	card, err := Pivot(ctx, st, "host", "db02")
	if err != nil {
		t.Fatal(err)
	}
	if card.SessionsTotal != 3 || !slices.Equal(card.Addresses, []string{"10.0.2.20"}) ||
		len(card.PeersIn) != 1 || card.PeersIn[0].Value != "10.0.1.10" || card.PeersIn[0].Host != "bastion01" ||
		len(card.PeersOut) != 2 || card.Success != 1 {
		t.Errorf("pivot host db02 = %+v", card)
	}
	card, err = Pivot(ctx, st, "user", "deploy")
	if err != nil {
		t.Fatal(err)
	}
	if card.Success != 1 || card.Failure != 1 || card.SessionsTotal != 1 || len(card.Methods) != 1 ||
		card.Methods[0].Value != "password" || !card.FirstSeen.Equal(t0.Add(5*time.Minute)) ||
		len(card.PeersOut) != 1 || card.PeersOut[0].Value != "bastion01" {
		t.Errorf("pivot user deploy = %+v", card)
	}
	card, err = Pivot(ctx, st, "ip", "10.0.9.9")
	if err != nil {
		t.Fatal(err)
	}
	if card.SessionsTotal != 1 || card.Events != 3 || len(card.PeersIn) != 1 || card.PeersIn[0].Host != "db02" {
		t.Errorf("pivot ip = %+v", card)
	}
	if _, err := Pivot(ctx, st, "port", "22"); err == nil {
		t.Error("pivot on an unknown kind must fail")
	}
	// Dropping one rebuild group: the network-only sessions, then a host.
	for _, g := range []struct {
		group string
		left  uint64
	}{{"", 3}, {"bastion01", 2}} {
		if err := st.DeleteSessions(ctx, g.group); err != nil {
			t.Fatal(err)
		}
		if n, _ := st.CountSessions(ctx, index.Query{}); n != g.left {
			t.Errorf("after DeleteSessions(%q): %d sessions, want %d", g.group, n, g.left)
		}
	}
	// Hostile values are one exact term, not query syntax.
	if card, err := Pivot(ctx, st, "user", `x" OR user:*`); err != nil || card.Events != 0 {
		t.Errorf("hostile pivot: %+v %v", card, err)
	}
}
