package detect

import (
	"strings"
	"testing"
	"time"
)

var zeroTime time.Time

func TestConfigFromMap(t *testing.T) {
	cfg, err := ConfigFromMap(map[string]any{
		"groups": map[string]any{
			"vcs_server": map[string]any{"hosts": []any{"git*"}, "cidrs": []any{"10.1.0.0/16", "10.2.0.1"}, "allow_users": "git,alice"},
			"Lab":        map[string]any{"hosts": []any{"lab1"}},
		},
		"working_hours":  map[string]any{"start": "08:30", "time_zone": "Europe/Berlin"},
		"thresholds":     map[string]any{"brute_force_window": "10m", "brute_force_failures": "50"},
		"baseline_until": "2026-03-01T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Thresholds.BruteForceWindow != 10*time.Minute || cfg.Thresholds.BruteForceFailures != 50 ||
		cfg.Thresholds.SprayUsers != 10 || cfg.WorkingHours.End != "20:00" || cfg.WorkingHours.Start != "08:30" ||
		!cfg.BaselineUntil.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("got %+v", cfg)
	}
	cc, err := compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if gs := cc.groupsOf("gitlab01", ""); len(gs) != 1 || gs[0].name != "VCS_Server" || len(gs[0].allow) != 2 {
		t.Fatalf("got %v", gs)
	}
	if gs := cc.groupsOf("", "10.2.0.1"); len(gs) != 1 || gs[0].name != "VCS_Server" {
		t.Fatalf("got %v", gs)
	}
	if gs := cc.groupsOf("web", "10.3.0.1"); len(gs) != 0 {
		t.Fatalf("got %v", gs)
	}
	// A group the built-ins do not know gets its own rule.
	ids := map[string]bool{}
	for _, r := range Rules(cfg) {
		ids[r.ID()] = true
	}
	if !ids["Lab_Abnormal_Access"] || !ids["App_1C_Server_Abnormal_Access"] || len(ids) != 2+12+15 {
		t.Fatalf("got %d rules: %v", len(ids), ids)
	}
	for _, bad := range []map[string]any{
		{"thresholds": map[string]any{"spray_users": 0}},
		{"working_hours": map[string]any{"time_zone": "Mars/Olympus"}},
		{"working_hours": map[string]any{"start": "25:00"}},
		{"working_hours": map[string]any{"days": []any{"funday"}}},
		{"groups": map[string]any{"x": map[string]any{"cidrs": []any{"10.0.0.0/33"}}}},
		{"thresholdz": 1},
	} {
		if _, err := ConfigFromMap(bad); err == nil || !strings.Contains(err.Error(), "detect config") {
			t.Fatalf("%v: got %v", bad, err)
		}
	}
}

func TestServiceAccounts(t *testing.T) {
	cc, _ := compile(DefaultConfig())
	for _, tc := range []struct {
		user, uid string
		want      bool
	}{
		{"postgres", "", true}, {"www-data", "33", true}, {"systemd-network", "", true}, {"git", "", true},
		{"alice", "1000", false}, {"deploy", "", false}, {"ansible", "", false}, {"root", "0", false}, {"x", "999", true},
	} {
		if got, _ := cc.isService(tc.user, tc.uid); got != tc.want {
			t.Errorf("%s/%s: got %v", tc.user, tc.uid, got)
		}
	}
}
