package sessions

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// sessionSet is every stored session as JSON, sorted: two stores hold the
// same sessions when their sets are equal.
func sessionSet(t *testing.T, st *index.Store) []string {
	t.Helper()
	all, err := st.Sessions(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(all))
	for _, s := range all {
		js, _ := json.Marshal(s)
		out = append(out, string(js))
	}
	slices.Sort(out)
	return out
}

// The hosts that got events stay recorded until a rebuild covering them
// commits: events written and then a crash (no rebuild) leave the record,
// and Finish on the next open rebuilds exactly what a clean run would.
func TestTouchedUntilRebuilt(t *testing.T) {
	ctx := context.Background()
	opts := Options{Assets: map[string][]string{"bastion01": {"10.0.1.10"}}}
	evs := scenario()

	clean := openStore(t)
	ingest(t, clean, evs)
	if _, err := Rebuild(ctx, clean, opts, nil); err != nil {
		t.Fatal(err)
	}
	want := sessionSet(t, clean)
	if len(want) == 0 {
		t.Fatal("clean store has no sessions")
	}
	if tc, _ := clean.Touched(); !tc.Empty() {
		t.Fatalf("clean store still touched: %+v", tc)
	}

	dir := filepath.Join(t.TempDir(), "idx")
	st, err := index.OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	var first, later []*schema.Event
	hosts := map[string]bool{}
	for _, ev := range evs {
		if ev.Host == "build07" {
			later = append(later, ev)
		} else {
			first = append(first, ev)
			hosts[ev.Host] = true
		}
	}
	ingest(t, st, first)
	if _, err := Rebuild(ctx, st, opts, nil); err != nil {
		t.Fatal(err)
	}
	// The second import's events commit; the process dies before its
	// rebuild.
	ingest(t, st, later)
	tc, err := st.Touched()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tc.Hosts, []string{"build07"}) || tc.All {
		t.Fatalf("touched after the second import: %+v", tc)
	}
	st.Close()

	st, err = index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if tc, _ := st.Touched(); !slices.Equal(tc.Hosts, []string{"build07"}) {
		t.Fatalf("touched after reopen: %+v", tc)
	}
	stats, ran, err := Finish(ctx, st, opts)
	if err != nil || !ran {
		t.Fatalf("finish: %v ran=%v", err, ran)
	}
	if stats.Sessions != len(want) {
		t.Fatalf("finish: %d sessions, want %d", stats.Sessions, len(want))
	}
	if got := sessionSet(t, st); !slices.Equal(got, want) {
		t.Fatalf("sessions after finish differ from a clean run:\n got %v\nwant %v", got, want)
	}
	if tc, _ := st.Touched(); !tc.Empty() {
		t.Fatalf("still touched after finish: %+v", tc)
	}
	// Nothing waiting: Finish does nothing.
	if _, ran, err := Finish(ctx, st, opts); err != nil || ran {
		t.Fatalf("second finish ran=%v err=%v", ran, err)
	}
	// Re-writing events already present touches nothing.
	ingest(t, st, evs)
	if tc, _ := st.Touched(); !tc.Empty() {
		t.Fatalf("present events touched %+v", tc)
	}
}

// A full rebuild that did not finish is redone whole, and Zeek records
// make every host pending (they join sessions of any host).
func TestTouchedAllAndNetwork(t *testing.T) {
	st := openStore(t)
	if err := st.MarkAllTouched(); err != nil {
		t.Fatal(err)
	}
	tc, _ := st.Touched()
	if Pending(tc) != nil {
		t.Fatalf("all: pending %v", Pending(tc))
	}
	if err := st.ClearTouched(index.Touched{All: true}); err != nil {
		t.Fatal(err)
	}
	ingest(t, st, []*schema.Event{{ID: "z1", Host: "sensor01", Format: schema.FormatZeekSSH, Action: schema.ActionNetworkSession}})
	tc, _ = st.Touched()
	if !tc.Has(schema.FormatZeekSSH) || Pending(tc) != nil {
		t.Fatalf("zeek: %+v pending %v", tc, Pending(tc))
	}
}
