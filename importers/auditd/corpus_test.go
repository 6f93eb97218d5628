package auditd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// Real files (testdata/SOURCES.md): whole-file counts.
func TestCorpusCounts(t *testing.T) {
	tests := []struct {
		file            string
		events, ignored int
		malformed       int
		actions         map[string]int
	}{
		// 50 records: 12 from sshd, sudo's USER_CMD, 1 `type=UNKNOWN[1329] msg=?`, the rest other
		// programs / kernel. One logon: USER_LOGIN (auth_success); USER_AUTH op=pubkey_auth,
		// USER_ACCT, CRED_ACQ, CRED_DISP, USER_ERR are pam; USER_END/USER_LOGOUT op=login,
		// CRYPTO_*, USER_ROLE_CHANGE other.
		{"go-libaudit-audit-rhel7.log", 13, 36, 1, map[string]int{
			"auth_success": 1, "pam": 5, "session_open": 1, "other": 5, "command": 1}},
		{"go-libaudit-audit-ubuntu16.log", 2, 1, 0, map[string]int{"invalid_user": 1, "auth_success": 1}},
		// 6 refused USER_LOGINs: root, sshd, dan (auth_failure); (unknown user) once and
		// (invalid user) twice (invalid_user). USER_ERR x2 and USER_AUTH x3 are pam.
		{"fail2ban-selinux-ssh.log", 11, 0, 0, map[string]int{"auth_failure": 3, "invalid_user": 3, "pam": 5}},
		{"elastic-auditd-test.log", 2, 13, 0, map[string]int{"other": 1, "command": 1}},
		{"elastic-audit-cent7-node.log", 0, 10, 0, map[string]int{}},
		{"go-libaudit-audit-rhel6.log", 1, 1, 0, map[string]int{"command": 1}},
		{"go-libaudit-test3.log", 0, 17, 0, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, st := importPath(t, filepath.Join("testdata", tt.file), importers.Options{})
			if len(evs) != tt.events || st.Events != tt.events || st.Ignored != tt.ignored || st.Malformed != tt.malformed {
				t.Fatalf("events %d (stats %d) ignored %d malformed %d; want %d %d %d",
					len(evs), st.Events, st.Ignored, st.Malformed, tt.events, tt.ignored, tt.malformed)
			}
			got := countActions(evs)
			for a, n := range tt.actions {
				if got[a] != n {
					t.Errorf("action %s: %d, want %d (all %v)", a, got[a], n, got)
				}
			}
			if len(got) != len(tt.actions) {
				t.Errorf("actions %v, want %v", got, tt.actions)
			}
		})
	}
}

// Real records, field by field.
func TestCorpusRecords(t *testing.T) {
	type want struct {
		line                              int64
		action, outcome, user, uid, srcIP string
		srcPort, pid                      int
		method, tty, ses, reason, tsRaw   string
		dstIP                             string
		dstPort                           int
	}
	tests := []struct {
		file string
		want []want
	}{
		{"go-libaudit-audit-rhel7.log", []want{
			// USER_AUTH op=pubkey_auth: the attempt that sshd logs as "Accepted publickey": pam.
			{line: 33, action: "pam", outcome: "success", user: "andrew_kroh", srcIP: "96.241.146.97", srcPort: 63927, pid: 1298, method: "publickey", tsRaw: "1481077043.046:408"},
			{line: 32, action: "pam", outcome: "success", user: "andrew_kroh", srcIP: "96.241.146.97", pid: 1298, tty: "ssh", tsRaw: "1481077043.052:410"},
			{line: 5, action: "pam", outcome: "success", user: "andrew_kroh", srcIP: "96.241.146.97", pid: 1298, tty: "ssh", tsRaw: "1481077043.057:413"},
			// PAM session_open after pam_loginuid: uid from auid, ses 1.
			{line: 41, action: "session_open", outcome: "success", user: "andrew_kroh", uid: "1000", srcIP: "96.241.146.97", pid: 1298, tty: "ssh", ses: "1", tsRaw: "1481077043.170:416"},
			// sshd's USER_LOGIN: the logon (auth_success). id=1000 only: named by the pid's
			// USER_ACCT (line 32); method and port from its USER_AUTH (line 33).
			{line: 37, action: "auth_success", outcome: "success", user: "andrew_kroh", uid: "1000", srcIP: "96.241.146.97", srcPort: 63927, pid: 1298, method: "publickey", tty: "pts/0", ses: "1", tsRaw: "1481077043.193:421"},
			// sshd's own USER_END op=login (id=1000): same session as PAM's, other, named.
			{line: 35, action: "other", outcome: "success", user: "andrew_kroh", uid: "1000", pid: 1298, tty: "pts/0", ses: "1"},
			{line: 38, action: "other", outcome: "success", user: "andrew_kroh", uid: "1000", pid: 1298, tty: "pts/0", ses: "1"},
			{line: 6, action: "pam", outcome: "success", user: "andrew_kroh", uid: "1000", srcIP: "96.241.146.97", pid: 1298, tty: "ssh", ses: "1"},
			// USER_ERR op=PAM:bad_ident: addr from an internet scanner, no account.
			{line: 36, action: "pam", outcome: "failure", srcIP: "190.48.233.76", pid: 1560, tty: "ssh"},
			// CRYPTO_SESSION: both ends.
			{line: 9, action: "other", outcome: "success", srcIP: "96.241.146.97", srcPort: 63927, dstIP: "10.142.0.2", dstPort: 22, pid: 1298},
		}},
		{"go-libaudit-audit-ubuntu16.log", []want{
			// Upstream OpenSSH's per-attempt record (terminal=sshd), hex "(invalid user)".
			{line: 1, action: "invalid_user", outcome: "failure", srcIP: "179.38.151.221", pid: 12635, tty: "sshd", reason: "invalid user"},
			// The logon; no record of the file names uid 1001: user empty, the number in uid.
			{line: 2, action: "auth_success", outcome: "success", uid: "1001", srcIP: "72.83.230.100", pid: 11396, tty: "pts/1", ses: "36"},
		}},
		{"fail2ban-selinux-ssh.log", []want{
			{line: 1, action: "auth_failure", outcome: "failure", user: "root", srcIP: "173.242.116.187", pid: 11998, tty: "ssh", tsRaw: "1373330716.415:4063"},
			{line: 2, action: "invalid_user", outcome: "failure", srcIP: "173.242.116.187", pid: 12000, tty: "ssh", reason: "unknown user"},
			{line: 4, action: "invalid_user", outcome: "failure", srcIP: "173.242.116.187", pid: 12000, tty: "ssh", reason: "invalid user"},
			{line: 3, action: "pam", outcome: "failure", srcIP: "173.242.116.187", pid: 12000, tty: "ssh"},
			// auid=0 ses=76: sshd restarted from a root session; not the account's uid.
			{line: 5, action: "auth_failure", outcome: "failure", user: "sshd", srcIP: "113.240.248.18", pid: 21569, tty: "ssh", ses: "76"},
			// Red Hat sshd's own per-attempt USER_AUTH: the same attempt as sshd's
			// "Failed publickey/password" line, so pam (method kept).
			{line: 8, action: "pam", outcome: "failure", user: "root", srcIP: "194.228.20.113", pid: 1277, method: "publickey", tty: "ssh"},
			{line: 9, action: "pam", outcome: "failure", user: "dan", srcIP: "192.168.3.100", pid: 12887, method: "password", tty: "ssh"},
			{line: 10, action: "auth_failure", outcome: "failure", user: "dan", srcIP: "192.168.3.100", pid: 12354, tty: "ssh"},
			// ENRICHED record (\x1d UID="root" AUID="unset").
			{line: 11, action: "pam", outcome: "failure", user: "root", srcIP: "192.0.2.111", pid: 173582, tty: "ssh", tsRaw: "1668381071.000:373474"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			evs, _ := importPath(t, filepath.Join("testdata", tt.file), importers.Options{})
			m := byLine(evs)
			for _, w := range tt.want {
				ev := m[w.line]
				if ev == nil {
					t.Errorf("line %d: no event", w.line)
					continue
				}
				got := want{ev.Line, ev.Action, ev.Outcome, ev.User, ev.UID, ev.SrcIP, ev.SrcPort, ev.PID, ev.Method, ev.TTY, ev.Ses, ev.Reason, w.tsRaw, ev.DstIP, ev.DstPort}
				if w.tsRaw != "" && ev.TSRaw != w.tsRaw {
					t.Errorf("line %d: ts_raw %q, want %q", w.line, ev.TSRaw, w.tsRaw)
				}
				if got != w {
					t.Errorf("line %d:\n got %+v\nwant %+v", w.line, got, w)
				}
				if ev.Program != "sshd" || ev.Format != schema.FormatAuditd || ev.File == "" {
					t.Errorf("line %d: program %q format %q file %q", w.line, ev.Program, ev.Format, ev.File)
				}
			}
		})
	}
}

func TestCorpusTimeAndHost(t *testing.T) {
	evs, st := importPath(t, "testdata/go-libaudit-audit-rhel7.log", importers.Options{Host: "bastion01"})
	ev := byLine(evs)[33]
	if want := time.Date(2016, 12, 7, 2, 17, 23, 46e6, time.UTC); !ev.TS.Equal(want) || ev.TS.Location() != time.UTC {
		t.Errorf("ts %v, want %v", ev.TS, want)
	}
	if ev.Host != "bastion01" || len(st.Assumed) != 1 || st.Assumed[0] != `auditd: host bastion01 from --host for go-libaudit-audit-rhel7.log` {
		t.Errorf("host %q assumed %q", ev.Host, st.Assumed)
	}
	// Raw line kept whole as the message (auid and all).
	if !bytes.Contains([]byte(ev.Message), []byte("op=pubkey_auth rport=63927")) || !bytes.Contains([]byte(ev.Message), []byte("auid=4294967295")) {
		t.Errorf("message %q", ev.Message)
	}
	if ev.ID != schema.EventID(idOf(t, "testdata/go-libaudit-audit-rhel7.log"), offsetOfLine(t, "testdata/go-libaudit-audit-rhel7.log", 33), ev.Message) {
		t.Errorf("id %s is not EventID(identity, offset, raw)", ev.ID)
	}
}

func idOf(t *testing.T, path string) string {
	src, err := importers.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	return src.Identity
}

func offsetOfLine(t *testing.T, path string, line int) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := 0
	for i := 1; i < line; i++ {
		off += bytes.IndexByte(b[off:], '\n') + 1
	}
	return int64(off)
}

// The copies in testdata are the corpus bytes (extra check; skips on a plain clone).
func TestCorpusCopiesUnchanged(t *testing.T) {
	dir := sharedCorpus(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(files) != 7 {
		t.Fatalf("corpus holds %d auditd files, want 7", len(files))
	}
	for _, f := range files {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join("testdata", filepath.Base(f)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: testdata copy differs (%v)", filepath.Base(f), err)
		}
	}
}

// node= wins over --host; cent7 holds only non-SSH records: all ignored, none malformed.
func TestNodeHost(t *testing.T) {
	_, st := importPath(t, "testdata/elastic-audit-cent7-node.log", importers.Options{Host: "x"})
	if st.Ignored != 10 || st.Malformed != 0 {
		t.Fatalf("ignored %d malformed %d", st.Ignored, st.Malformed)
	}
	evs, _ := importPath(t, "testdata/handmade-ssh-exec.log", importers.Options{Host: "x"})
	for _, ev := range evs {
		want := "x"
		if ev.PID == 4247 {
			want = "ws01"
		}
		if ev.Host != want {
			t.Errorf("pid %d host %q, want %q", ev.PID, ev.Host, want)
		}
	}
}
