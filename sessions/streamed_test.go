package sessions

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	_ "github.com/sshtrail/sshtrail/importers/all"
	ingestpkg "github.com/sshtrail/sshtrail/importers/ingest"
	gen "github.com/sshtrail/sshtrail/sample-data/gen"
	"github.com/sshtrail/sshtrail/schema"
)

// The rebuild over a store (event ids and builder state spilled to disk,
// written a batch at a time, ids stored packed) makes exactly the sessions
// the in-memory correlation makes of the same events: sids, parents,
// outcomes, sources and event lists in their order. The case is generated:
// many hosts, every format, Zeek joins, audited ssh clients and hops. An
// incremental rebuild of some hosts from the stored state gives them again.
func TestRebuildEqualsInMemoryBuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := gen.Write(dir, gen.Options{Events: 40000, Seed: 7, Hosts: 8}); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	if _, err := ingestpkg.Run(ctx, st, []string{dir}, ingestpkg.Options{Complete: true}); err != nil {
		t.Fatal(err)
	}
	var evs []*schema.Event
	if err := st.Scan(ctx, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	opts := Options{}
	want := Build(evs, opts) // the answer key: the correlation with everything in memory
	key := func(ss []schema.Session) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			js, _ := json.Marshal(s)
			out[i] = string(js)
		}
		slices.Sort(out)
		return out
	}
	hosts := map[string]bool{}
	hops, zeek, events := 0, 0, 0
	for _, s := range want {
		hosts[s.Host] = true
		events += len(s.Events)
		if s.Parent != "" {
			hops++
		}
		if slices.Contains(s.Sources, schema.FormatZeekSSH) && s.Host != "" {
			zeek++
		}
	}
	if len(hosts) < 5 || hops < 3 || zeek < 3 || events < len(want)*2 {
		t.Fatalf("the case is too plain to prove anything: %d hosts, %d hops, %d joined Zeek sessions, %d events in %d sessions",
			len(hosts), hops, zeek, events, len(want))
	}

	if _, err := Rebuild(ctx, st, opts, nil); err != nil {
		t.Fatal(err)
	}
	got, err := List(ctx, st, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := key(got), key(want); !slices.Equal(g, w) {
		diff(t, g, w)
	}

	// Two hosts rebuilt again: every other host's sessions are re-linked
	// from their stored state, and nothing changes. The jump host is one of
	// them: an ssh client process finds the login it ran in from its host's
	// events, which an incremental rebuild reads only for the hosts it
	// rebuilds (without them link guesses the login by time, as before).
	some := []string{"bastion01"}
	for h := range hosts {
		if h != "" && h != "bastion01" && len(some) < 2 {
			some = append(some, h)
		}
	}
	if !hosts["bastion01"] {
		t.Fatal("the case has no jump host bastion01")
	}
	stats, err := Rebuild(ctx, st, opts, some)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Written != 0 || stats.Deleted != 0 {
		t.Errorf("incremental rebuild of %v changed %d and deleted %d sessions", some, stats.Written, stats.Deleted)
	}
	if got, err = List(ctx, st, Filter{}); err != nil {
		t.Fatal(err)
	}
	if g, w := key(got), key(want); !slices.Equal(g, w) {
		diff(t, g, w)
	}
}

func diff(t *testing.T, got, want []string) {
	t.Helper()
	n := 0
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok && n < 3 {
			t.Errorf("stored, not built: %s", g)
			n++
		}
	}
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok && n < 6 {
			t.Errorf("built, not stored: %s", w)
			n++
		}
	}
	t.Fatalf("%d sessions stored, %d built", len(got), len(want))
}
