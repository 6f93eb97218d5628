package auditd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// Hand-made execs (testdata/handmade-ssh-exec.log): what the corpus lacks.
func TestHandmadeExec(t *testing.T) {
	evs, st := importPath(t, "testdata/handmade-ssh-exec.log", importers.Options{})
	type want struct {
		pid                         int
		program, outcome, user, uid string
		ses, command, forward       string
		dstHost, dstIP              string
		dstPort                     int
		remoteUser                  string
	}
	handmade := []want{
		{4242, "ssh", "success", "", "1000", "3", "ssh -L 3389:10.0.0.5:3389 -N alice@bastion", "L:3389:10.0.0.5:3389", "bastion", "", 0, "alice"},
		{4243, "ssh", "success", "", "1000", "3", "ssh -D 1080 -fN -p 2222 bob@10.1.2.3", "D:1080", "10.1.2.3", "10.1.2.3", 2222, "bob"},
		{4245, "scp", "failure", "", "1000", "3", "scp -P 2200 -J jump1 /etc/passwd carol@files.example:/tmp/x", "J:jump1", "files.example", "", 2200, "carol"},
		{4246, "ssh", "success", "", "1000", "3", "ssh -oLocalForward=8080 intranet:80 -oProxyJump=bastion,inner dave@db01", "L:8080:intranet:80 J:bastion,inner", "db01", "", 0, "dave"},
		// ENRICHED AUID="alice" names the numeric auid 1001.
		{4247, "ssh", "success", "alice", "1001", "7", "ssh -fNL 8080:web:80 -w 0:1 -R9000:localhost:22 eve@gw", "L:8080:web:80 W:0:1 R:9000:localhost:22", "gw", "", 0, "eve"},
		{4248, "sshpass", "success", "", "1000", "3", "sshpass -p s3cret ssh -o RemoteForward 9001 localhost:22 root@203.0.113.9", "R:9001:localhost:22", "203.0.113.9", "203.0.113.9", 0, "root"},
		{4249, "autossh", "success", "", "1000", "3", "autossh -M 0 -f -N -L 5900:127.0.0.1:5900 -o DynamicForward=1081 frank@vnc", "L:5900:127.0.0.1:5900 D:1081", "vnc", "", 0, "frank"},
		{4250, "sftp", "success", "", "1000", "3", "sftp -P 2022 -o User=grace [2001:db8::5]:/srv", "", "2001:db8::5", "2001:db8::5", 2022, "grace"},
	}
	if len(evs) != len(handmade) {
		t.Fatalf("%d events, want %d", len(evs), len(handmade))
	}
	// bash and ls execs: 2 groups, 3 + 3 records (the bash one ends with EOE, not stored).
	if st.Malformed != 1 || st.Ignored != 5 || st.Samples["malformed"][0] != "testdata/handmade-ssh-exec.log:15 no type= at line start" {
		t.Errorf("malformed %d ignored %d samples %v", st.Malformed, st.Ignored, st.Samples)
	}
	if len(st.Samples["incomplete"]) != 0 {
		t.Errorf("incomplete %v", st.Samples["incomplete"])
	}
	pids := map[int]bool{}
	for _, ev := range evs {
		pids[ev.PID] = true
	}
	for _, w := range handmade {
		var got *want
		for _, ev := range evs {
			if ev.PID != w.pid {
				continue
			}
			if ev.Action != "process" || ev.TTY != "pts0" || ev.TSRaw == "" {
				t.Errorf("pid %d: action %q tty %q ts_raw %q", w.pid, ev.Action, ev.TTY, ev.TSRaw)
			}
			ru := ""
			if i := strings.Index(ev.Message, "\nremote_user="); i >= 0 {
				ru = strings.SplitN(ev.Message[i+len("\nremote_user="):], "\n", 2)[0]
			}
			got = &want{ev.PID, ev.Program, ev.Outcome, ev.User, ev.UID, ev.Ses, ev.Command, ev.Forward, ev.DstHost, ev.DstIP, ev.DstPort, ru}
		}
		if got == nil {
			t.Errorf("pid %d: no event", w.pid)
			continue
		}
		if *got != w {
			t.Errorf("pid %d:\n got %+v\nwant %+v", w.pid, *got, w)
		}
	}
	// The -D exec is interleaved with a bash exec and has no EOE: its first
	// record is line 7; the group still holds its 4 records in the message.
	ev := byLine(evs)[7]
	if ev == nil || ev.PID != 4243 || strings.Count(ev.Message, "msg=audit(1700000001.200:502)") != 4 {
		t.Errorf("interleaved group: %+v", ev)
	}
}

// A file cut at both ends: the first event has no SYSCALL, the last has only it.
func TestHandmadeSplit(t *testing.T) {
	evs, st := importPath(t, "testdata/handmade-split.log", importers.Options{})
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	first, mid, last := evs[0], evs[1], evs[2]
	if first.Command != "ssh -J admin@jump target" || first.Forward != "J:admin@jump" || first.DstHost != "target" || first.User != "" || first.PID != 0 || first.Program != "ssh" {
		t.Errorf("first: %+v", first)
	}
	if mid.Command != "ssh -L 1433:sql01:1433 heidi@bastion" || mid.Forward != "L:1433:sql01:1433" || mid.PID != 4300 {
		t.Errorf("mid: %+v", mid)
	}
	if last.PID != 4301 || last.Command != "" || last.Program != "ssh" || last.Line != 8 || strings.HasPrefix(last.Message, "\n") {
		t.Errorf("last: %+v", last)
	}
	want := []string{"testdata/handmade-split.log:1 2 audit event(s) lack records (split at the file boundary?); imported what was there"}
	if len(st.Samples["incomplete"]) != 1 || st.Samples["incomplete"][0] != want[0] || st.Malformed != 0 {
		t.Errorf("samples %v malformed %d", st.Samples, st.Malformed)
	}
}

// One ENRICHED PAM login through sshd-session: exactly one auth_success (sshd's
// USER_LOGIN), one session_open, one session_close; PAM's USER_AUTH records
// are the attempts sshd logs itself, so pam.
func TestHandmadeLogin(t *testing.T) {
	evs, st := importPath(t, "testdata/handmade-sshd-login.log", importers.Options{Host: "web01"})
	got := countActions(evs)
	want := map[string]int{"auth_success": 1, "invalid_user": 1, "pam": 5, "session_open": 1, "session_close": 1, "other": 1, "disconnect": 1}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("%s: %d, want %d (%v)", a, got[a], n, got)
		}
	}
	// 13 records: the kernel LOGIN and sudo's USER_AUTH are not sshd.
	if len(evs) != 11 || st.Ignored != 2 {
		t.Fatalf("events %d ignored %d", len(evs), st.Ignored)
	}
	m := byLine(evs)
	if a := m[3]; a.Action != "pam" || a.Outcome != "success" || a.User != "alice" || a.SrcIP != "198.51.100.7" || a.Program != "sshd-session" || a.Host != "web01" || a.UID != "" {
		t.Errorf("USER_AUTH success: %+v", a)
	}
	if a := m[2]; a.Action != "pam" || a.Outcome != "failure" || a.User != "alice" {
		t.Errorf("USER_AUTH failed: %+v", a)
	}
	if s := m[7]; s.Action != "session_open" || s.UID != "1000" || s.Ses != "12" || s.User != "alice" {
		t.Errorf("session_open: %+v", s)
	}
	// sshd's USER_LOGIN: the logon; no acct, the ENRICHED ID names the user.
	if s := m[8]; s.Action != "auth_success" || s.Outcome != "success" || s.User != "alice" || s.UID != "1000" || s.TTY != "pts/3" || s.SrcIP != "198.51.100.7" {
		t.Errorf("USER_LOGIN: %+v", s)
	}
	if s := m[11]; s.Action != "invalid_user" || s.Outcome != "failure" || s.SrcIP != "2001:db8::66" || s.Reason != "invalid user" || s.User != "" {
		t.Errorf("invalid user: %+v", s)
	}
	if s := m[12]; s.Action != "disconnect" || s.User != "root" {
		t.Errorf("maxtries: %+v", s)
	}
}

// audit.log names no host: the event gets none, and the summary says so.
func TestGenericFileName(t *testing.T) {
	line := `type=USER_AUTH msg=audit(1.5:7): pid=3 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication acct="bob" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.9 terminal=ssh res=success'` + "\n"
	for name, host := range map[string]string{"audit.log.1": "", "db01-audit.log": "db01", "web02.audit.log": "web02"} {
		src, _ := importers.FromReader(name, strings.NewReader(line), time.Time{})
		var st importers.Stats
		var got []*schema.Event
		_ = (Importer{}).Import(context.Background(), src, importers.Options{}, &st, func(ev *schema.Event) error {
			got = append(got, ev)
			return nil
		})
		if len(got) != 1 || got[0].Host != host || len(st.Assumed) != 1 {
			t.Errorf("%s: events %d host %q assumed %q", name, len(got), got[0].Host, st.Assumed)
		}
	}
}
