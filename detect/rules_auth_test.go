package detect

import (
	"testing"

	"github.com/sshtrail/sshtrail/schema"
)

func TestBruteForceRealRHEL7(t *testing.T) {
	s := storeOf(t, readLog(t, "elastic-secure-rhel7.head.log", 2017))
	f := only1(t, run(t, s, DefaultConfig(), "SSH_Brute_Force"))
	// 202.109.143.106 failed 33 times in under 3 minutes; 116.31.116.27 only 9.
	if f.SrcIP != "202.109.143.106" || f.User != "root" || f.Host != "slave22" || len(f.Events) != 33 {
		t.Fatalf("got %+v", f)
	}
	if f.TS.Format("15:04:05") != "16:45:20" || f.Severity != SevMedium || f.Technique != "T1110.001" {
		t.Fatalf("got %+v", f)
	}
	// Negative: raise the threshold above 33 and nothing fires.
	cfg := DefaultConfig()
	cfg.Thresholds.BruteForceFailures = 34
	if fs := run(t, s, cfg, "SSH_Brute_Force"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}

func TestSprayAndInvalidUsersRealWazuh(t *testing.T) {
	s := storeOf(t, readLog(t, "wazuh-sshd-entries.log", 2014))
	fs := run(t, s, DefaultConfig(), "SSH_Password_Spraying")
	if len(fs) != 2 || fs[0].SrcIP != "83.15.231.75" || fs[1].SrcIP != "200.94.18.3" {
		t.Fatalf("got %v", fs)
	}
	if len(fs[0].Events) != 200 || fs[0].User != "" || fs[0].Host != "eva" { // capped at max_evidence
		t.Fatalf("got %+v", fs[0])
	}
	inv := run(t, s, DefaultConfig(), "SSH_Invalid_User_Storm")
	if len(inv) != 2 || inv[0].SrcIP != "83.15.231.75" {
		t.Fatalf("got %v", inv)
	}
	// "Invalid user" lines with no "Failed" line are the attempts here.
	bf := run(t, s, DefaultConfig(), "SSH_Brute_Force")
	if len(bf) != 2 {
		t.Fatalf("got %v", bf)
	}
	// Negative: the RHEL 7 brute force only ever tried root.
	s2 := storeOf(t, readLog(t, "elastic-secure-rhel7.head.log", 2017))
	if fs := run(t, s2, DefaultConfig(), "SSH_Password_Spraying", "SSH_Invalid_User_Storm"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}

func TestSuccessAfterGuessing(t *testing.T) {
	real := readLog(t, "elastic-secure-rhel7.head.log", 2017)
	// Negative (real): drewr logs on by key from an address that never failed.
	s := storeOf(t, real)
	if fs := run(t, s, DefaultConfig(), "SSH_Success_After_Guessing"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
	// Positive: the guessing address then gets in (hand-made success line).
	last := real[len(real)-1].TS
	hm := &schema.Event{ID: schema.EventID("handmade", 1, "x"), TS: last.Add(30e9), Format: schema.FormatAuthlog,
		Host: "slave22", Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "root",
		SrcIP: "202.109.143.106", Method: "password", PID: 2900, Message: "Accepted password for root from 202.109.143.106 port 1999 ssh2"}
	s2 := storeOf(t, real, []*schema.Event{hm})
	f := only1(t, run(t, s2, DefaultConfig(), "SSH_Success_After_Guessing"))
	if f.SrcIP != "202.109.143.106" || f.User != "root" || len(f.Events) != 34 || f.Events[33] != hm.ID || f.Severity != SevHigh {
		t.Fatalf("got %+v", f)
	}
}

func TestDaemonsAndRoot(t *testing.T) {
	evs := []*schema.Event{
		logon(0, "db02", "postgres", "10.0.1.10", "publickey", "SHA256:pg"),
		logon(1e9, "web01", "alice", "10.0.1.11", "publickey", "SHA256:al"),
		logon(2e9, "web01", "svc_backup", "10.0.1.12", "publickey", "SHA256:bk"),
		logon(3e9, "web01", "root", "10.0.1.13", "password", ""),
	}
	evs[2].UID = "998" // rule of thumb: uid < 1000
	s := storeOf(t, evs)
	fs := run(t, s, DefaultConfig(), "Unix_SSH_Login_By_Daemons")
	if len(fs) != 2 || fs[0].User != "postgres" || fs[1].User != "svc_backup" {
		t.Fatalf("got %v", fs)
	}
	// Negative: allowed on the group, and removed from the rule of thumb.
	cfg := DefaultConfig()
	cfg.Groups = map[string]AssetGroup{"unix_server": {Hosts: []string{"db*"}, AllowUsers: []string{"postgres", "alice"}}}
	cfg.NotServiceAccounts = []string{"svc_*"}
	cfg.ServiceUIDMax = 500
	if fs := run(t, s, cfg, "Unix_SSH_Login_By_Daemons"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
	root := only1(t, run(t, s, DefaultConfig(), "SSH_Direct_Root_Logon"))
	if root.Host != "web01" || root.SrcIP != "10.0.1.13" || root.Events[0] != evs[3].ID {
		t.Fatalf("got %+v", root)
	}
	// Negative (real): no root logon in the RHEL 7 log, only failures.
	s2 := storeOf(t, readLog(t, "elastic-secure-rhel7.head.log", 2017))
	if fs := run(t, s2, DefaultConfig(), "SSH_Direct_Root_Logon", "Unix_SSH_Login_By_Daemons"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}
