package detect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// handmadeBaseline: alice logs on to dc01 every weekday morning for 8 days
// from her PC by key; bob by key from the jump host.
func handmadeBaseline() []*schema.Event {
	var evs []*schema.Event
	for i := 0; i < 8; i++ {
		evs = append(evs,
			logon(time.Duration(i)*day, "dc01", "alice", "10.0.0.5", "publickey", "SHA256:alicekey"),
			logon(time.Duration(i)*day+time.Hour, "dc01", "bob", "10.0.0.9", "publickey", "SHA256:bobkey"))
	}
	return evs
}

func dcConfig() Config {
	cfg := DefaultConfig()
	cfg.Groups = map[string]AssetGroup{"domain_controller": {Hosts: []string{"DC*"}}}
	return cfg
}

func TestAbnormalAccessProfile(t *testing.T) {
	base := handmadeBaseline()
	// Negative: after the 7-day baseline, the same people log on the same way.
	same := []*schema.Event{
		logon(9*day, "dc01", "alice", "10.0.0.5", "publickey", "SHA256:alicekey"),
		logon(9*day+time.Hour, "dc01", "bob", "10.0.0.9", "publickey", "SHA256:bobkey"),
	}
	s := storeOf(t, base, same)
	if fs := run(t, s, dcConfig(), "Domain_Controller_Abnormal_Access", "SSH_First_Seen_*"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
	p, err := Profile(context.Background(), s, dcConfig(), "DC01")
	if err != nil {
		t.Fatal(err)
	}
	if p.Logons != 14 || p.Users["alice"] != 7 || p.Sources["10.0.0.9"] != 7 || p.Keys["SHA256:alicekey"] != 7 ||
		len(p.Methods) != 1 || p.Groups[0] != "Domain_Controller" || !p.BaselineEnd.Equal(hmBaseOf(base).Add(7*day)) {
		t.Fatalf("profile %+v", p)
	}
	kept, err := StoredProfile(s, "dc01")
	if err != nil || kept == nil || kept.Logons != 14 {
		t.Fatalf("kept %+v %v", kept, err)
	}

	// Positive: new source, new method, new key each fire.
	for _, tc := range []struct {
		name string
		ev   *schema.Event
		diff string
	}{
		{"source", logon(9*day, "dc01", "alice", "203.0.113.50", "publickey", "SHA256:alicekey"), "new source 203.0.113.50"},
		{"method", logon(9*day, "dc01", "alice", "10.0.0.5", "password", ""), "new method password"},
		{"key", logon(9*day, "dc01", "bob", "10.0.0.9", "publickey", "SHA256:planted"), "new key SHA256:planted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storeOf(t, base, []*schema.Event{tc.ev})
			f := only1(t, run(t, s, dcConfig(), "Domain_Controller_Abnormal_Access"))
			if !strings.Contains(f.Summary, tc.diff+".") || f.Host != "dc01" || f.Events[0] != tc.ev.ID || f.Severity != SevHigh {
				t.Fatalf("got %+v", f)
			}
			// The host is in no other group: the other group rules stay quiet.
			if fs := run(t, s, dcConfig(), "Unix_Server_Abnormal_Access"); len(fs) != 0 {
				t.Fatalf("want none, got %v", fs)
			}
		})
	}
	// --baseline-until moves the window: with the baseline over after day 1,
	// bob's later logons are still known but a day-3 novelty fires.
	cfg := dcConfig()
	cfg.BaselineUntil = hmBase.Add(2 * day)
	s2 := storeOf(t, base, []*schema.Event{logon(3*day+5*time.Hour, "dc01", "carol", "10.0.0.5", "publickey", "SHA256:alicekey")})
	f := only1(t, run(t, s2, cfg, "Domain_Controller_Abnormal_Access"))
	if !strings.Contains(f.Summary, "new user carol") {
		t.Fatalf("got %+v", f)
	}
}

func hmBaseOf(evs []*schema.Event) time.Time { return evs[0].TS }

func TestFirstSeen(t *testing.T) {
	base := handmadeBaseline()
	later := []*schema.Event{
		logon(10*day, "dc01", "alice", "198.51.100.7", "publickey", "SHA256:alicekey"),
		logon(10*day+time.Minute, "dc01", "alice", "198.51.100.7", "publickey", "SHA256:other"),
	}
	s := storeOf(t, base, later)
	src := only1(t, run(t, s, DefaultConfig(), "SSH_First_Seen_Source"))
	if src.User != "alice" || src.SrcIP != "198.51.100.7" || len(src.Events) != 2 {
		t.Fatalf("got %+v", src)
	}
	key := only1(t, run(t, s, DefaultConfig(), "SSH_First_Seen_Key"))
	if key.Events[0] != later[1].ID {
		t.Fatalf("got %+v", key)
	}
}

func TestOffHoursKeyNormAllowList(t *testing.T) {
	evs := handmadeBaseline() // all Mon-Fri 09:00/10:00 UTC... and weekend days
	s := storeOf(t, evs)
	// Day 5 and 6 of the baseline are Saturday and Sunday.
	fs := run(t, s, DefaultConfig(), "SSH_Logon_Outside_Working_Hours")
	if len(fs) != 2 || len(fs[0].Events) != 2 || fs[0].User != "alice" || fs[0].TS.Weekday() != time.Saturday {
		t.Fatalf("got %v", fs)
	}
	cfg := DefaultConfig()
	cfg.WorkingHours.Days = []string{"Monday", "tue", "wed", "thu", "fri", "sat", "sun"}
	if fs := run(t, s, cfg, "SSH_Logon_Outside_Working_Hours"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
	cfg.WorkingHours.TimeZone = "Asia/Tokyo" // 09:00 UTC is 18:00, 10:00 is 19:00 in Tokyo
	cfg.WorkingHours.End = "18:30"
	if fs := run(t, s, cfg, "SSH_Logon_Outside_Working_Hours"); len(fs) != 1 || fs[0].User != "bob" || len(fs[0].Events) != 8 {
		t.Fatalf("got %v", fs)
	}

	// Key norm: bob always used a key; now a password.
	if fs := run(t, s, DefaultConfig(), "SSH_Password_Where_Keys_Are_Norm", "SSH_Password_Logons"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
	pw := logon(9*day, "dc01", "bob", "10.0.0.9", "password", "")
	s2 := storeOf(t, evs, []*schema.Event{pw})
	f := only1(t, run(t, s2, DefaultConfig(), "SSH_Password_Where_Keys_Are_Norm"))
	if f.User != "bob" || f.Events[0] != pw.ID || !strings.Contains(f.Summary, "all 8 earlier") {
		t.Fatalf("got %+v", f)
	}
	m := only1(t, run(t, s2, DefaultConfig(), "SSH_Password_Logons"))
	if m.Host != "dc01" || m.User != "bob" {
		t.Fatalf("got %+v", m)
	}

	// Allow-list: only alice may log on to the DCs.
	cfg = dcConfig()
	cfg.Groups["domain_controller"] = AssetGroup{Hosts: []string{"dc*"}, AllowUsers: []string{"alice"}}
	na := only1(t, run(t, s, cfg, "SSH_User_Not_Allowed"))
	if na.User != "bob" || len(na.Events) != 8 || !strings.Contains(na.Summary, "Domain_Controller") {
		t.Fatalf("got %+v", na)
	}
	cfg.Groups["domain_controller"] = AssetGroup{Hosts: []string{"dc*"}, AllowUsers: []string{"alice", "b?b"}}
	if fs := run(t, s, cfg, "SSH_User_Not_Allowed"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}
