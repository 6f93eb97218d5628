package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

// With sessions rebuilt by index/sessions, the rule reports its paths.
func TestLateralFromStoredSessions(t *testing.T) {
	evs := []*schema.Event{
		connFrom(0, "jump01", "203.0.113.5", "10.0.0.10", 300),
		logon(time.Minute, "jump01", "mallory", "203.0.113.5", "password", ""),
		connFrom(4*time.Minute, "db01", "10.0.0.10", "10.0.0.30", 400),
		logon(5*time.Minute, "db01", "mallory", "10.0.0.10", "publickey", "SHA256:m"),
		connFrom(8*time.Minute, "app01", "10.0.0.30", "10.0.0.40", 500),
		logon(9*time.Minute, "app01", "svc", "10.0.0.30", "publickey", "SHA256:m"),
	}
	evs[1].PID, evs[3].PID, evs[5].PID = 300, 400, 500
	s := storeOf(t, evs)
	if _, err := sessions.Rebuild(t.Context(), s, sessions.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	paths, err := sessions.AllPaths(t.Context(), s, 2)
	if err != nil || len(paths) != 1 {
		t.Fatalf("paths %v %v", paths, err)
	}
	f := only1(t, run(t, s, DefaultConfig(), "SSH_Lateral_Movement_Chain"))
	if len(f.SIDs) != 3 || f.Host != "app01" || !strings.Contains(f.Summary, "over 2 hop(s)") {
		t.Fatalf("got %+v", f)
	}
}
