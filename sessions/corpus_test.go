package sessions

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	_ "github.com/sshtrail/sshtrail/importers/all"
	"github.com/sshtrail/sshtrail/schema"
)

// importFile runs the real importer of format over path.
func importFile(t testing.TB, format, path string, opts importers.Options) []*schema.Event {
	t.Helper()
	imp, ok := importers.Lookup(format)
	if !ok {
		t.Skipf("importer %s not registered yet", format)
	}
	src, err := importers.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []*schema.Event
	var stats importers.Stats
	err = imp.Import(context.Background(), src, opts, &stats, func(ev *schema.Event) error {
		out = append(out, ev)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// sharedCorpus finds /work/shared/corpus style directories by walking up;
// files under licenses that forbid copying are read from there.
func sharedCorpus(t testing.TB, rel string) string {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for {
		p := filepath.Join(dir, "shared", "corpus", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("shared corpus file %s not found", rel)
		}
		dir = parent
	}
}

func find(ss []schema.Session, pred func(schema.Session) bool) []schema.Session {
	var out []schema.Session
	for _, s := range ss {
		if pred(s) {
			out = append(out, s)
		}
	}
	return out
}

// RHEL 7 secure log: a brute force by pid, and one real login whose
// disconnect comes from the privsep child (2809) of the monitor (2805).
func TestCorpusRHEL7(t *testing.T) {
	evs := importFile(t, "authlog", "testdata/elastic-secure-rhel7.head.log", importers.Options{Year: 2017})
	ss := Build(evs, Options{})
	if len(ss) != 11 {
		t.Fatalf("sessions = %d, want 11", len(ss))
	}
	fail := find(ss, func(s schema.Session) bool { return s.Outcome == schema.OutcomeFailure })
	if len(fail) != 10 {
		t.Errorf("failed sessions = %d, want 10", len(fail))
	}
	// pid 2738: lines 1-8, three Failed password, reset by peer.
	s := ss[0]
	if s.User != "root" || s.SrcIP != "202.109.143.106" || s.SrcPort != 1786 || s.Failures != 3 || len(s.Events) != 8 ||
		s.Start.Format(time.TimeOnly) != "16:45:20" || s.End.Format(time.TimeOnly) != "16:45:26" {
		t.Errorf("pid 2738 = %+v", s)
	}
	ok := find(ss, func(s schema.Session) bool { return s.Outcome == schema.OutcomeSuccess })
	if len(ok) != 1 {
		t.Fatalf("successful sessions = %d", len(ok))
	}
	d := ok[0]
	if d.User != "drewr" || d.SrcIP != "69.245.39.97" || d.SrcPort != 34202 || d.Method != "publickey" ||
		len(d.Events) != 4 || d.End.IsZero() || d.Host != "slave22" || d.Failures != 0 {
		t.Errorf("drewr = %+v", d)
	}
	assertEveryAttemptOnce(t, evs, ss)
}

// assertEveryAttemptOnce: no authentication line is dropped or counted twice.
func assertEveryAttemptOnce(t *testing.T, evs []*schema.Event, ss []schema.Session) {
	t.Helper()
	in := map[string]int{}
	for _, s := range ss {
		for _, id := range s.Events {
			in[id]++
		}
	}
	for _, ev := range evs {
		switch ev.Action {
		case schema.ActionAuthSuccess, schema.ActionAuthFailure, schema.ActionInvalidUser:
			if in[ev.ID] != 1 {
				t.Errorf("%s:%d %s is in %d sessions", ev.File, ev.Line, ev.Action, in[ev.ID])
			}
		}
	}
}

func TestCorpusFail2banEveryAttemptVisible(t *testing.T) {
	evs := importFile(t, "authlog", "testdata/fail2ban-sshd.log", importers.Options{Year: 2005})
	ss := Build(evs, Options{})
	assertEveryAttemptOnce(t, evs, ss)
	// The four logons of the file (git, known twice, rda). Untagged closes
	// with no login before them — line 72 "Connection closed by 61.0.0.1",
	// 73 "Received disconnect from 89.24.13.192: 3: ...JSchException: Auth
	// fail", 134 "Connection closed by 192.0.2.15 port 35352" — are not
	// successful sessions (they were, with no user, until issue 15).
	ok := find(ss, func(s schema.Session) bool { return s.Outcome == schema.OutcomeSuccess })
	var users []string
	for _, s := range ok {
		users = append(users, s.User+"@"+s.SrcIP)
	}
	sort.Strings(users)
	if got := strings.Join(users, " "); got != "git@192.0.2.1 known@192.0.2.114 known@192.0.2.116 rda@192.0.2.113" {
		t.Errorf("successful sessions: %s", got)
	}
}

// Ubuntu 12.04 auth.log (Elastic License 2.0: read in place): privsep
// children log the disconnect, sudo commands join by user and tty, a login
// begun before the log, and logins still open at its end.
func TestCorpusUbuntu1204(t *testing.T) {
	evs := importFile(t, "authlog", sharedCorpus(t, "authlog/elastic-auth-ubuntu1204.log"), importers.Options{Year: 2017})
	ss := Build(evs, Options{})
	if len(ss) != 11 {
		t.Fatalf("sessions = %d, want 11", len(ss))
	}
	port := func(p int) schema.Session {
		got := find(ss, func(s schema.Session) bool { return s.SrcPort == p })
		if len(got) != 1 {
			t.Fatalf("sessions from port %d: %d", p, len(got))
		}
		return got[0]
	}
	// 3403 accepted, its child 3418 disconnected, 3403 closed.
	if s := port(52321); len(s.Events) != 4 || s.Duration != 4 || s.User != "vagrant" {
		t.Errorf("port 52321 = %+v", s)
	}
	// Two logins 9 s apart; sudo on pts/1 went to the second, pts/0 to the first.
	if s := port(60840); !slices.Equal(s.Commands, []string{"/bin/bash", "su tsg"}) {
		t.Errorf("port 60840 commands = %q", s.Commands)
	}
	if s := port(60839); len(s.Commands) != 3 || s.Commands[0] != "/bin/cat /var/log/auth.log" {
		t.Errorf("port 60839 commands = %q", s.Commands)
	}
	// Begun before the log: sftp child 1332 then monitor 1317 closing.
	pre := find(ss, func(s schema.Session) bool { return s.Start.Format("01-02 15:04:05") == "02-22 10:21:42" })
	if len(pre) != 1 || pre[0].End.Format(time.TimeOnly) != "10:26:52" || len(pre[0].Commands) != 4 || pre[0].User != "vagrant" {
		t.Errorf("session begun before the log = %+v", pre)
	}
	open := find(ss, func(s schema.Session) bool { return s.End.IsZero() })
	if len(open) != 3 {
		t.Errorf("open at the end = %d, want 3 (Feb 9 sftp, 09:18:35, 09:26:59)", len(open))
	}
	assertEveryAttemptOnce(t, evs, ss)
}

// loghub OpenSSH_2k (research terms: read in place): 2,000 lines of brute
// force around one real login.
func TestCorpusLoghubOpenSSH(t *testing.T) {
	evs := importFile(t, "authlog", sharedCorpus(t, "authlog/loghub-OpenSSH_2k.log"), importers.Options{Year: 2017})
	ss := Build(evs, Options{})
	ok := find(ss, func(s schema.Session) bool { return s.Outcome == schema.OutcomeSuccess })
	if len(ss) != 519 || len(ok) != 1 {
		t.Fatalf("sessions = %d (%d ok), want 519 (1 ok)", len(ss), len(ok))
	}
	s := ok[0]
	if s.User != "fztu" || s.SrcIP != "119.137.62.142" || s.SrcPort != 49116 || s.Method != "password" ||
		s.Start.Format(time.TimeOnly) != "09:32:20" || s.End.Format(time.TimeOnly) != "09:45:06" {
		t.Errorf("fztu = %+v", s)
	}
	assertEveryAttemptOnce(t, evs, ss)
}

// auditd RHEL 7: one pubkey login joined across its records by pid and ses.
func TestCorpusAuditd(t *testing.T) {
	evs := importFile(t, "auditd", "testdata/go-libaudit-audit-rhel7.log", importers.Options{})
	ss := Build(evs, Options{})
	ok := find(ss, func(s schema.Session) bool { return s.Outcome == schema.OutcomeSuccess })
	if len(ok) != 1 {
		t.Fatalf("successful sessions = %d: %+v", len(ok), ss)
	}
	s := ok[0]
	if s.User != "andrew_kroh" || s.SrcIP != "96.241.146.97" || s.SrcPort != 63927 || s.Method != "publickey" ||
		!slices.Equal(s.Sources, []string{"auditd"}) || len(s.Events) < 8 {
		t.Errorf("andrew_kroh = %+v", s)
	}
	if n := len(find(ss, func(s schema.Session) bool { return s.SrcIP == "190.48.233.76" && s.Outcome == schema.OutcomeFailure })); n != 1 {
		t.Errorf("failed session from 190.48.233.76 = %d", n)
	}
}

// Hand-made auditd (host jump) and auth log (host target01) run through the
// real importers: the ssh client exec in jump's audit session 12 is the
// client side of bob's login on target01 (whose log names its address
// 10.1.2.3), so that login hops from alice's, and jump's address is learned.
func TestHandmadeClientExecLinksHosts(t *testing.T) {
	evs := importFile(t, "auditd", "testdata/handmade-jump-audit.log", importers.Options{Host: "jump"})
	evs = append(evs, importFile(t, "authlog", "testdata/handmade-target-auth.log", importers.Options{Year: 2023})...)
	ss := Build(evs, Options{})
	if len(ss) != 2 {
		t.Fatalf("sessions = %d, want 2: %+v", len(ss), ss)
	}
	jump, target := ss[0], ss[1]
	if jump.Host != "jump" || jump.User != "alice" || jump.Failures != 1 || jump.Outcome != "success" ||
		!slices.Equal(jump.Commands, []string{"ssh bob@10.1.2.3"}) || jump.Duration != 99.9 {
		t.Errorf("jump = %+v", jump)
	}
	if target.Host != "target01" || target.Parent != jump.SID || target.DstIP != "10.1.2.3" ||
		!slices.Equal(target.Sources, []string{"authlog", "auditd"}) || len(target.Events) != 7 ||
		!slices.Equal(target.Commands, []string{"/usr/bin/tar czf /tmp/x.tgz /etc"}) {
		t.Errorf("target01 = %+v", target)
	}
	paths := Paths(ss, 1)
	if len(paths) != 1 || paths[0].String() != "198.51.100.7 → jump (alice, 22:16) → target01 (bob, 22:17)" {
		t.Errorf("paths = %v", paths)
	}
}

// journald: an invalid user and its pre-auth disconnect, one failed session.
func TestCorpusJournal(t *testing.T) {
	evs := importFile(t, "journal", "testdata/jl-sshd.json", importers.Options{})
	ss := Build(evs, Options{})
	if len(ss) != 1 {
		t.Fatalf("sessions = %d: %+v", len(ss), ss)
	}
	s := ss[0]
	if s.Host != "example.org" || s.User != "hacker" || s.SrcIP != "127.106.119.170" || s.SrcPort != 54520 ||
		s.Outcome != "failure" || s.Failures != 1 || len(s.Events) != 2 || !slices.Equal(s.Sources, []string{"journal"}) {
		t.Errorf("session = %+v", s)
	}
}

// macOS unified log (syslog style): pid 2519 failed once then logged in;
// its privsep child 2531's disconnect comes first in the file.
func TestCorpusUnifiedOutOfOrderChild(t *testing.T) {
	evs := importFile(t, "unified", "testdata/wazuh-macos-sshd-syslog-style.log", importers.Options{Host: "mac1"})
	ss := Build(evs, Options{})
	got := find(ss, func(s schema.Session) bool { return s.SrcIP == "172.18.1.100" && s.SrcPort == 43042 })
	if len(got) != 1 {
		t.Fatalf("sessions from 172.18.1.100:43042 = %d: %+v", len(got), got)
	}
	s := got[0]
	if s.Outcome != "success" || s.Failures != 1 || len(s.Events) != 3 || s.User != "user" ||
		s.End.Format(time.TimeOnly) != "15:38:47" {
		t.Errorf("session = %+v", s)
	}
	assertEveryAttemptOnce(t, evs, ss)
}

// The same hand-made case plus a sensor's ssh.log and conn.log (whose clock
// is 1.5 s behind target01's): bob's login is one session seen by four
// sources, and a Zeek record with no host log (target01 -> 10.1.2.99) is a
// session of its own that hops from bob's.
func TestHandmadeFourSources(t *testing.T) {
	evs := importFile(t, "auditd", "testdata/handmade-jump-audit.log", importers.Options{Host: "jump"})
	evs = append(evs, importFile(t, "authlog", "testdata/handmade-target-auth.log", importers.Options{Year: 2023})...)
	evs = append(evs, importFile(t, "zeek", "testdata/handmade-zeek-ssh.log", importers.Options{})...)
	evs = append(evs, importFile(t, "zeek", "testdata/handmade-zeek-conn.log", importers.Options{})...)
	ss := Build(evs, Options{})
	if len(ss) != 3 {
		t.Fatalf("sessions = %d, want 3: %+v", len(ss), ss)
	}
	target, net := ss[1], ss[2]
	if target.Host != "target01" || !slices.Equal(target.Sources, []string{"authlog", "auditd", "zeek_ssh", "zeek_conn"}) ||
		len(target.Events) != 9 || target.Duration != 56 || target.Parent != ss[0].SID {
		t.Errorf("target01 = %+v", target)
	}
	if net.Host != "" || net.DstIP != "10.1.2.99" || net.Parent != target.SID || net.Duration != 12 ||
		!slices.Equal(net.Sources, []string{"zeek_ssh", "zeek_conn"}) || net.Outcome != "success" {
		t.Errorf("zeek-only = %+v", net)
	}
	want := "198.51.100.7 → jump (alice, 22:16) → target01 (bob, 22:17) → 10.1.2.99 (22:17)"
	if p := Paths(ss, 2); len(p) != 1 || p[0].String() != want {
		t.Errorf("paths = %v", p)
	}
	// Beyond a 1 s skew the sensor's record is not bob's login: both stay visible.
	ss = Build(evs, Options{Skew: time.Second})
	if len(ss) != 4 {
		t.Errorf("with 1 s skew: %d sessions, want 4", len(ss))
	}
}
