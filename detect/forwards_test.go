package detect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// One finding that gathers three ssh runs with forwarding names each
// forward, spelled out, and a reverse tunnel to an internet address makes
// it critical. The events are what the auditd importer makes of EXECVE
// records of `ssh -D 1080 ...`, `ssh -R 8443:localhost:22 ...`, `ssh -L
// 13389:10.0.9.5:3389 ...` (importers/auditd sshargs.go).
func TestForwardsNamed(t *testing.T) {
	base := time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC)
	mk := func(i int, fwd, cmd, dst string) *schema.Event {
		return &schema.Event{ID: schema.EventID("fwd", int64(i), cmd), TS: base.Add(time.Duration(i) * time.Minute), Format: schema.FormatAuditd,
			Host: "build07", Action: schema.ActionProcess, Outcome: schema.OutcomeSuccess, User: "deploy", Program: "ssh",
			Command: cmd, Forward: fwd, DstIP: dst, DstPort: 22}
	}
	evs := []*schema.Event{
		mk(0, "D:1080", "ssh -N -D 1080 deploy@10.0.3.30", "10.0.3.30"),
		mk(1, "R:8443:localhost:22", "ssh -N -R 8443:localhost:22 ops@203.0.113.50", "203.0.113.50"),
		mk(2, "L:13389:10.0.9.5:3389", "ssh -N -L 13389:10.0.9.5:3389 deploy@10.0.3.30", "10.0.3.30"),
		mk(3, "D:1080", "ssh -N -D 1080 deploy@10.0.3.30", "10.0.3.30"), // the same again: named once
	}
	s := storeOf(t, evs)
	fs, err := Run(context.Background(), s, DefaultConfig(), []string{"Unix_Proxy_Forwarding"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("%d findings: %+v", len(fs), fs)
	}
	f := fs[0]
	for _, want := range []string{
		"SOCKS proxy D:1080 (this host's port 1080 to anywhere, through 10.0.3.30)",
		"reverse tunnel R:8443:localhost:22 (port 8443 on 203.0.113.50 back to localhost:22 through this host)",
		"local forward L:13389:10.0.9.5:3389 (this host's port 13389 to 10.0.9.5:3389, through 10.0.3.30)",
		"4 time(s)",
		"A reverse tunnel to an internet address opens this host to the outside.",
	} {
		if !strings.Contains(f.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, f.Summary)
		}
	}
	if strings.Count(f.Summary, "D:1080") != 1 {
		t.Errorf("D:1080 named %d times", strings.Count(f.Summary, "D:1080"))
	}
	if f.Severity != SevCritical {
		t.Errorf("severity %s, want critical", f.Severity)
	}
}
