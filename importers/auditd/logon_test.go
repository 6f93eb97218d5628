package auditd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// docs/schema.md's auditd rows, one real record per row (handmade only where
// the corpus has no such record: PAM's USER_END, an ssh EXECVE). Each line
// is imported within its whole file, so what the rest of the file says
// (names, the logon of a process) counts as it does in an import.
func TestActionTableRealLines(t *testing.T) {
	tests := []struct {
		file             string
		line             int64
		typ              string // the record type the row is about
		action, outcome  string
		user, reason, fp string
	}{
		// USER_AUTH: the attempt sshd logs itself ("Failed"/"Accepted"): pam, never a second attempt.
		{"fail2ban-selinux-ssh.log", 11, "USER_AUTH", "pam", "failure", "root", "", ""},           // PAM:authentication
		{"fail2ban-selinux-ssh.log", 9, "USER_AUTH", "pam", "failure", "dan", "", ""},             // sshd's op=password
		{"go-libaudit-audit-rhel7.log", 33, "USER_AUTH", "pam", "success", "andrew_kroh", "", ""}, // op=pubkey_auth
		{"handmade-sshd-login.log", 12, "USER_AUTH", "disconnect", "failure", "root", "", ""},     // op=maxtries exceeded
		// USER_ACCT, CRED_ACQ, CRED_DISP, USER_ERR: PAM steps, pam.
		{"go-libaudit-audit-rhel7.log", 32, "USER_ACCT", "pam", "success", "andrew_kroh", "", ""},
		{"go-libaudit-audit-rhel7.log", 5, "CRED_ACQ", "pam", "success", "andrew_kroh", "", ""},
		{"go-libaudit-audit-rhel7.log", 6, "CRED_DISP", "pam", "success", "andrew_kroh", "", ""},
		{"go-libaudit-audit-rhel7.log", 36, "USER_ERR", "pam", "failure", "", "", ""},
		// USER_LOGIN: the logon.
		{"fail2ban-selinux-ssh.log", 1, "USER_LOGIN", "auth_failure", "failure", "root", "", ""},
		{"fail2ban-selinux-ssh.log", 2, "USER_LOGIN", "invalid_user", "failure", "", "unknown user", ""},
		{"fail2ban-selinux-ssh.log", 4, "USER_LOGIN", "invalid_user", "failure", "", "invalid user", ""},
		{"go-libaudit-audit-ubuntu16.log", 1, "USER_LOGIN", "invalid_user", "failure", "", "invalid user", ""},
		{"go-libaudit-audit-rhel7.log", 37, "USER_LOGIN", "auth_success", "success", "andrew_kroh", "", ""},
		{"go-libaudit-audit-ubuntu16.log", 2, "USER_LOGIN", "auth_success", "success", "", "", ""},
		// USER_START / USER_END: PAM's are the session; sshd's op=login copies are other.
		{"go-libaudit-audit-rhel7.log", 41, "USER_START", "session_open", "success", "andrew_kroh", "", ""},
		{"handmade-sshd-login.log", 9, "USER_END", "session_close", "success", "alice", "", ""},
		{"go-libaudit-audit-rhel7.log", 35, "USER_END", "other", "success", "andrew_kroh", "", ""},
		{"go-libaudit-audit-rhel7.log", 38, "USER_LOGOUT", "other", "success", "andrew_kroh", "", ""},
		// USER_CMD (sudo): command.
		{"go-libaudit-audit-rhel7.log", 34, "USER_CMD", "command", "success", "andrew_kroh", "", ""},
		{"go-libaudit-audit-rhel6.log", 2, "USER_CMD", "command", "success", "", "", ""},
		// EXECVE of ssh: process.
		{"handmade-names.log", 2, "SYSCALL", "process", "success", "deploy", "", ""},
		// CRYPTO_SESSION, USER_ROLE_CHANGE: other.
		{"go-libaudit-audit-rhel7.log", 9, "CRYPTO_SESSION", "other", "success", "", "", ""},
		{"go-libaudit-audit-rhel7.log", 40, "USER_ROLE_CHANGE", "other", "success", "andrew_kroh", "", ""},
	}
	files := map[string]map[int64]*schema.Event{}
	for _, tt := range tests {
		t.Run(tt.file+":"+strconv.FormatInt(tt.line, 10), func(t *testing.T) {
			if !strings.HasPrefix(testdataLine(t, tt.file, int(tt.line)), "type="+tt.typ+" ") {
				t.Fatalf("line is not a %s record", tt.typ)
			}
			m := files[tt.file]
			if m == nil {
				evs, _ := importPath(t, filepath.Join("testdata", tt.file), importers.Options{})
				m = byLine(evs)
				files[tt.file] = m
			}
			ev := m[tt.line]
			if ev == nil {
				t.Fatal("no event")
			}
			if ev.Action != tt.action || ev.Outcome != tt.outcome || ev.User != tt.user || ev.Reason != tt.reason {
				t.Errorf("action %q outcome %q user %q reason %q, want %q %q %q %q",
					ev.Action, ev.Outcome, ev.User, ev.Reason, tt.action, tt.outcome, tt.user, tt.reason)
			}
		})
	}
}

// sudo's USER_CMD on real records: the command decoded from hex cmd=, the
// account that ran sudo (uid=) by name when the file names it.
func TestUserCmdRealLines(t *testing.T) {
	tests := []struct {
		file                     string
		line                     int64
		user, uid, ses, tty, cmd string
		program                  string
	}{
		// uid 1000 is andrew_kroh: his PAM records of the same file (auid=1000 acct=...).
		{"go-libaudit-audit-rhel7.log", 34, "andrew_kroh", "1000", "3", "pts/0", "./metricbeat -c mb.dev.yml", "sudo"},
		// RHEL 6 sudo writes no exe=: the program is sudo all the same. Nothing names uid 497.
		{"go-libaudit-audit-rhel6.log", 2, "", "497", "11988", "", "/usr/lib64/nagios/plugins/check_asterisk_sip_peers -p 107", "sudo"},
		{"elastic-auditd-test.log", 3, "", "497", "11988", "", "/usr/lib64/nagios/plugins/check_asterisk_sip_peers -p 202", "sudo"},
	}
	for _, tt := range tests {
		evs, _ := importPath(t, filepath.Join("testdata", tt.file), importers.Options{})
		ev := byLine(evs)[tt.line]
		if ev == nil {
			t.Errorf("%s:%d: no event", tt.file, tt.line)
			continue
		}
		if ev.Action != "command" || ev.Outcome != "success" || ev.User != tt.user || ev.UID != tt.uid || ev.Ses != tt.ses ||
			ev.TTY != tt.tty || ev.Command != tt.cmd || ev.Program != tt.program || ev.PID == 0 {
			t.Errorf("%s:%d: %+v", tt.file, tt.line, ev)
		}
	}
}

// Hand-made (testdata/handmade-names.log): what the corpus does not show.
//   - The file begins inside deploy's session (ses 31): a sudo and an ssh exec
//     by auid 1001, named only by the session's PAM close further down.
//   - Red Hat's sshd on a connection without a tty writes USER_LOGIN (and
//     USER_START/USER_END/USER_LOGOUT op=login) again for every command: one
//     logon, carrying the method, key and port of its USER_AUTH records;
//     op=key's hex SHA256 is written as sshd logs it (base64).
//   - A sudo by a uid that nothing names: user empty, uid kept.
func TestHandmadeNames(t *testing.T) {
	evs, st := importPath(t, "testdata/handmade-names.log", importers.Options{Host: "bastion01"})
	if st.Malformed != 0 || len(evs) != 25 || st.Ignored != 1 { // the LOGIN record is no event
		t.Fatalf("events %d ignored %d malformed %d", len(evs), st.Ignored, st.Malformed)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Line < evs[i-1].Line {
			t.Errorf("event %d (line %d) out of file order after line %d", i, evs[i].Line, evs[i-1].Line)
		}
	}
	m := byLine(evs)
	if e := m[1]; e.Action != "command" || e.User != "deploy" || e.UID != "1001" || e.Command != "systemctl restart nginx" || e.TTY != "pts/1" || e.Ses != "31" {
		t.Errorf("sudo: %+v", e)
	}
	if e := m[2]; e.Action != "process" || e.User != "deploy" || e.UID != "1001" || e.Command != "ssh postgres@10.0.2.20" {
		t.Errorf("ssh exec: %+v", e)
	}
	got := countActions(evs)
	want := map[string]int{"command": 2, "process": 1, "session_close": 2, "pam": 7, "session_open": 1, "auth_success": 1, "other": 11}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("%s: %d, want %d (%v)", a, got[a], n, got)
		}
	}
	logon := m[15]
	if logon.Action != "auth_success" || logon.User != "backup" || logon.UID != "1002" || logon.Method != "publickey" ||
		logon.KeyType != "ssh-ed25519" || logon.KeyFP != "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" ||
		logon.SrcIP != "203.0.113.40" || logon.SrcPort != 51514 || logon.PID != 6100 {
		t.Errorf("logon: %+v", logon)
	}
	for _, l := range []int64{19, 23} {
		if e := m[l]; e.Action != "other" || e.User != "backup" {
			t.Errorf("line %d: repeated USER_LOGIN %+v", l, e)
		}
	}
	if e := m[9]; e.Action != "pam" || e.KeyFP != logon.KeyFP || e.Method != "publickey" {
		t.Errorf("op=key: %+v", e)
	}
	if e := m[28]; e.Action != "command" || e.Outcome != "failure" || e.User != "" || e.UID != "1003" || e.Command != "cat /etc/shadow" {
		t.Errorf("unnamed sudo: %+v", e)
	}
}

// No event of any testdata file carries a number as its user, or leaves its
// user empty while another event of the same file and host names that uid.
func TestNamesNotNumbers(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.log")
	if len(files) < 10 {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		evs, _ := importPath(t, f, importers.Options{})
		named := map[string]string{}
		for _, ev := range evs {
			if ev.User != "" && digits(ev.User) {
				t.Errorf("%s:%d: user %q", f, ev.Line, ev.User)
			}
			if ev.User != "" && ev.UID != "" {
				named[ev.Host+"\x00"+ev.UID] = ev.User
			}
		}
		for _, ev := range evs {
			if ev.User == "" && ev.UID != "" && named[ev.Host+"\x00"+ev.UID] != "" {
				t.Errorf("%s:%d: uid %s unnamed, but the file names it %q", f, ev.Line, ev.UID, named[ev.Host+"\x00"+ev.UID])
			}
		}
	}
}

// The hold is bounded: a number that nothing names does not keep the rest
// of a long file in memory; order is kept and every event comes out.
func TestHoldBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("type=USER_CMD msg=audit(1773458100.000:1): pid=6200 uid=1003 auid=1003 ses=41 msg='cwd=\"/tmp\" cmd=6C73 exe=\"/usr/bin/sudo\" terminal=pts/2 res=success'\n")
	n := maxHeld + 50
	for i := 0; i < n; i++ {
		u := strconv.Itoa(2000 + i) // every one a uid nothing names: each waits
		b.WriteString("type=USER_CMD msg=audit(1773458101.000:" + strconv.Itoa(i+2) + "): pid=7000 uid=" + u + " auid=" + u + " ses=42 msg='cwd=\"/tmp\" cmd=6C73 exe=\"/usr/bin/sudo\" terminal=pts/2 res=success'\n")
	}
	p := filepath.Join(t.TempDir(), "h.log")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var seen []int64
	src, err := importers.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var st importers.Stats
	im := &run{src: src, stats: &st, open: map[string]*group{}}
	im.emit = func(ev *schema.Event) error {
		seen = append(seen, ev.Line)
		return nil
	}
	lr := importers.NewLineReader(src.R)
	for {
		l, err := lr.Next()
		if err != nil {
			break
		}
		if err := im.line(l); err != nil {
			t.Fatal(err)
		}
		if len(im.names.queue) > maxHeld {
			t.Fatalf("hold holds %d events", len(im.names.queue))
		}
	}
	if len(seen) != n+1-maxHeld { // before the end: all but maxHeld
		t.Errorf("%d events out before the end, want %d", len(seen), n+1-maxHeld)
	}
	if err := im.flushAll(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n+1 {
		t.Fatalf("%d events, want %d", len(seen), n+1)
	}
	for i, l := range seen {
		if l != int64(i+1) {
			t.Fatalf("event %d is line %d", i, l)
		}
	}
}
