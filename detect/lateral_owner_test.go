package detect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

// A chain that only returns to its own owner is daily life: alice, by
// key, from her workstation to her Mac and on to the git server (2 hops) ranks
// low and says why. The same chain ending as root, or from the internet,
// or by password, stays high and names what is unusual.
func TestLateralChainOfItsOwner(t *testing.T) {
	base := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	run := func(t *testing.T, origin, lastUser, method string) Finding {
		t.Helper()
		var evs []*schema.Event
		n := 0
		logon := func(min int, host string, pid int, user, src, method string) {
			at := base.Add(time.Duration(min) * time.Minute)
			for _, e := range []schema.Event{
				{TS: at, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: user, SrcIP: src, SrcPort: 50000 + pid, Method: method},
				{TS: at, Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: user},
				{TS: at.Add(time.Hour), Action: schema.ActionSessionClose, Outcome: schema.OutcomeSuccess, User: user},
			} {
				n++
				e.ID, e.Host, e.PID, e.Format, e.Program = schema.EventID("owner", int64(n), host), host, pid, schema.FormatAuthlog, "sshd"
				ev := e
				evs = append(evs, &ev)
			}
		}
		logon(0, "ws-alice", 100, "alice", origin, "publickey")
		logon(3, "mac-alice", 150, "alice", "10.0.6.10", "publickey")
		logon(5, "git01", 200, lastUser, "10.0.7.20", method)
		s := storeOf(t, evs)
		cfg := DefaultConfig()
		opts := sessions.Options{Assets: map[string][]string{"ws-alice": {"10.0.6.10"}, "mac-alice": {"10.0.7.20"}}}
		if _, err := sessions.Rebuild(context.Background(), s, opts, nil); err != nil {
			t.Fatal(err)
		}
		fs, err := Run(context.Background(), s, cfg, []string{lateralID}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 {
			t.Fatalf("%d findings: %+v", len(fs), fs)
		}
		return fs[0]
	}
	f := run(t, "10.0.5.21", "alice", "publickey")
	if f.Severity != SevLow || !strings.Contains(f.Summary, "Ranked low: one account throughout") {
		t.Errorf("owner's own chain: %s %q", f.Severity, f.Summary)
	}
	for _, c := range []struct{ origin, user, method, why string }{
		{"10.0.5.21", "root", "publickey", "different accounts (alice, root)"},
		{"203.0.113.9", "alice", "publickey", "origin 203.0.113.9 is external"},
		{"10.0.5.21", "alice", "password", "a password logon"},
	} {
		f := run(t, c.origin, c.user, c.method)
		if f.Severity != SevHigh || !strings.Contains(f.Summary, "Unusual: "+c.why) {
			t.Errorf("%+v: %s %q", c, f.Severity, f.Summary)
		}
	}
}
