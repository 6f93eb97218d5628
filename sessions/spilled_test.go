package sessions

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// buildSpilled is Build the way Rebuild runs it: sessions spilled as built,
// linked as compact records, replayed from the spill file.
func buildSpilled(t testing.TB, evs []*schema.Event, opts Options) []schema.Session {
	t.Helper()
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	b := newBuilder(opts)
	b.spill = sp
	for _, ev := range evs {
		b.Add(ev)
	}
	b.finish()
	if err := sp.sealed(); err != nil {
		t.Fatal(err)
	}
	clients := make([]clientL, len(b.clients))
	for i, c := range b.clients {
		clients[i].client = c
		if c.in != nil {
			clients[i].inL = c.in.lk
		}
	}
	l := clink(b.syms, b.lout, clients, b.opts)
	var out []schema.Session
	for _, f := range l.all {
		s, _, err := l.replay(sp, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s.S)
	}
	return out
}

// The compact link with its replay makes exactly the sessions of the
// in-memory link (in the same order: sids, parents, outcomes, sources,
// notes, event lists), on every corpus and hand-made case: wiped starts,
// privsep children, auditd beside sshd, Zeek joins, client processes.
func TestSpilledLinkEqualsLink(t *testing.T) {
	jump := func(zeek bool) []*schema.Event {
		evs := importFile(t, "auditd", "testdata/handmade-jump-audit.log", importers.Options{Host: "jump"})
		evs = append(evs, importFile(t, "authlog", "testdata/handmade-target-auth.log", importers.Options{Year: 2023})...)
		if zeek {
			evs = append(evs, importFile(t, "zeek", "testdata/handmade-zeek-ssh.log", importers.Options{})...)
			evs = append(evs, importFile(t, "zeek", "testdata/handmade-zeek-conn.log", importers.Options{})...)
		}
		return evs
	}
	cases := []struct {
		name string
		evs  func() []*schema.Event
		opts Options
	}{
		{"scenario", scenario, Options{Assets: map[string][]string{"bastion01": {"10.0.1.10"}}}},
		{"scenario-skew", scenario, Options{Skew: time.Second}},
		{"rhel7", func() []*schema.Event {
			return importFile(t, "authlog", "testdata/elastic-secure-rhel7.head.log", importers.Options{Year: 2017})
		}, Options{}},
		{"fail2ban", func() []*schema.Event {
			return importFile(t, "authlog", "testdata/fail2ban-sshd.log", importers.Options{Year: 2005})
		}, Options{}},
		{"journal", func() []*schema.Event { return importFile(t, "journal", "testdata/jl-sshd.json", importers.Options{}) }, Options{}},
		{"unified", func() []*schema.Event {
			return importFile(t, "unified", "testdata/wazuh-macos-sshd-syslog-style.log", importers.Options{Host: "mac1"})
		}, Options{}},
		{"jump", func() []*schema.Event { return jump(false) }, Options{}},
		{"four-sources", func() []*schema.Event { return jump(true) }, Options{}},
		{"four-sources-skew", func() []*schema.Event { return jump(true) }, Options{Skew: time.Second}},
		{"rita-zeek", func() []*schema.Event {
			evs := importFile(t, "zeek", "testdata/rita-ssh.2024-04-19-01.log.gz", importers.Options{})
			return append(evs, importFile(t, "zeek", "testdata/rita-conn.2024-04-19-01.log.gz", importers.Options{})...)
		}, Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs := c.evs()
			want, got := Build(evs, c.opts), buildSpilled(t, evs, c.opts)
			if len(want) == 0 {
				t.Fatal("no sessions: the case proves nothing")
			}
			for i := range max(len(want), len(got)) {
				var w, g []byte
				if i < len(want) {
					w, _ = json.Marshal(want[i])
				}
				if i < len(got) {
					g, _ = json.Marshal(got[i])
				}
				if !slices.Equal(w, g) {
					t.Fatalf("session %d of %d/%d:\n got %s\nwant %s", i, len(got), len(want), g, w)
				}
			}
		})
	}
}
