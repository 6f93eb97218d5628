package authlog

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// want is the part of an event a table row checks; empty fields must be empty.
type want struct {
	ts, host, program string
	pid               int
	action, outcome   string
	user, uid         string
	src               string
	srcPort           int
	dst               string
	dstPort           int
	method, keyType   string
	keyFP, command    string
	tty, reason       string
}

func check(t *testing.T, where string, ev *schema.Event, w want) {
	t.Helper()
	got := want{
		ts: ev.TS.Format(time.RFC3339Nano), host: ev.Host, program: ev.Program, pid: ev.PID,
		action: ev.Action, outcome: ev.Outcome, user: ev.User, uid: ev.UID,
		src: ev.SrcIP, srcPort: ev.SrcPort, dst: ev.DstIP, dstPort: ev.DstPort,
		method: ev.Method, keyType: ev.KeyType, keyFP: ev.KeyFP, command: ev.Command,
		tty: ev.TTY, reason: ev.Reason,
	}
	if w.ts == "" {
		got.ts = "" // not checked by this row
	}
	if got != w {
		t.Errorf("%s:\n got %+v\nwant %+v", where, got, w)
	}
}

// TestRealLines checks whole events of real lines, named by file and line
// number in testdata (GPL and Apache files kept as separate data files).
// The file time is 2026-03-15, so RFC 3164 dates after 16 March are 2025.
func TestRealLines(t *testing.T) {
	cases := []struct {
		file string
		line int64
		w    want
	}{
		{"fail2ban-sshd.log", 9, want{ts: "2025-07-03T14:59:17Z", host: "host", program: "sshd-session", pid: 1571,
			action: "auth_failure", outcome: "failure", user: "root", src: "192.0.2.1", srcPort: 56502, method: "password"}},
		{"fail2ban-sshd.log", 10, want{host: "www", program: "sshd", pid: 1643, action: "pam", outcome: "failure",
			user: "root", src: "1.2.3.4", reason: "root login refused"}},
		{"fail2ban-sshd.log", 21, want{host: "dusky", program: "sshd", pid: 20878, action: "auth_failure", outcome: "failure",
			user: "<invalid username>", src: "205.186.180.55", srcPort: 42742, method: "keyboard-interactive"}},
		{"fail2ban-sshd.log", 28, want{host: "Jamess-iMac.local", program: "sshd", pid: 2554, action: "auth_failure", outcome: "failure",
			user: "jamedds", src: "205.186.180.77", srcPort: 33723, method: "keyboard-interactive", reason: "invalid user"}},
		{"fail2ban-sshd.log", 57, want{ts: "2025-07-05T18:22:44Z", host: "mercury", program: "sshd", pid: 4669, action: "auth_failure", outcome: "failure",
			user: "graysky", src: "127.0.0.1", srcPort: 37954, method: "publickey", keyType: "RSA",
			keyFP: "SHA256:v3dpapGleDaUKf$4V1vKyR9ZyUgjaJAmoCTcb2PLljI", reason: "invalid user"}},
		{"fail2ban-sshd.log", 58, want{host: "mercury", program: "sshd", pid: 4670, action: "auth_failure", outcome: "failure",
			user: "graysky", src: "aaaa:bbbb:cccc:1234::1:1", srcPort: 37955, method: "publickey", keyType: "RSA",
			keyFP: "SHA256:v3dpapGleDaUKf$4V1vKyR9ZyUgjaJAmoCTcb2PLljI", reason: "invalid user"}},
		{"fail2ban-sshd.log", 61, want{host: "srv", program: "sshd", pid: 32307, action: "auth_partial", outcome: "unknown",
			user: "git", src: "192.0.2.1", srcPort: 57904, method: "publickey"}},
		{"fail2ban-sshd.log", 62, want{host: "srv", program: "sshd", pid: 32307, action: "auth_success", outcome: "success",
			user: "git", src: "192.0.2.1", srcPort: 57904, method: "publickey", keyType: "DSA",
			keyFP: "36:48:xx:xx:xx:xx:xx:xx:xx:xx:xx:xx:xx:xx:xx:xx"}},
		{"fail2ban-sshd.log", 88, want{host: "myhost", program: "sshd", pid: 109798, action: "disconnect", outcome: "failure",
			user: "xxx", src: "192.0.2.7", srcPort: 49941, reason: "Too many authentication failures"}},
		{"fail2ban-sshd.log", 89, want{host: "bar", program: "sshd", pid: 1556, action: "pam", outcome: "failure",
			user: "rda", src: "192.0.2.113"}},
		{"fail2ban-sshd.log", 103, want{host: "test", program: "sshd", pid: 5672, action: "disconnect", outcome: "failure",
			user: "admin", src: "192.0.2.117", srcPort: 44004,
			reason: "Change of username or service not allowed: (admin,ssh-connection) -> (user,ssh-connection)"}},
		{"fail2ban-sshd.log", 119, want{host: "srv", program: "sshd", pid: 1300, action: "disconnect", outcome: "failure",
			user: "test 127.0.0.1 port 12345", src: "192.0.2.11", srcPort: 46039, reason: "connection closed"}},
		{"fail2ban-sshd.log", 120, want{ts: "2026-02-17T17:40:17Z", program: "sshd", pid: 19725, action: "connection", outcome: "unknown",
			src: "192.0.2.10", srcPort: 62004, dst: "192.0.2.10", dstPort: 22}},
		{"fail2ban-sshd.log", 154, want{ts: "2019-07-08T21:40:16.954167Z", host: "hostname.example.com", program: "sshd", pid: 57915,
			action: "auth_failure", outcome: "failure", user: "redmond", src: "192.0.2.1", srcPort: 59197, method: "unknown", reason: "invalid user"}},
		{"fail2ban-testcase02.log", 2, want{host: "i60p295", program: "sshd", pid: 11437, action: "auth_failure", outcome: "failure",
			user: "test123", src: "66.38.192.238", srcPort: 51381, method: "password", reason: "invalid user"}},
		{"fail2ban-bsd-syslog-v.log", 4, want{host: "pancake", program: "sshd", pid: 55628, action: "auth_failure", outcome: "failure",
			user: "r00t", src: "192.0.2.100", srcPort: 46050, method: "keyboard-interactive", reason: "invalid user"}},
		{"fail2ban-bsd-syslog-vv.log", 1, want{ts: "2025-03-19T23:48:18Z", host: "pancake", program: "sshd", pid: 55517,
			action: "invalid_user", outcome: "failure", user: "r00t", src: "183.60.159.20"}},
		{"fail2ban-locale-metalog.log", 4, want{ts: "2025-12-31T11:59:59Z", program: "sshd", action: "pam", outcome: "failure",
			user: "kevin", src: "failed.dns.ch", reason: "Authentication failure"}},
		{"wazuh-sshd-entries.log", 1, want{host: "eva", program: "sshd", pid: 19537, action: "invalid_user", outcome: "failure",
			user: "admin", src: "83.15.231.75"}},
		{"wazuh-sshd-tests.log", 18, want{ts: "2013-10-30T13:51:21.901728Z", host: "srv", program: "sshd", pid: 12664,
			action: "auth_partial", outcome: "unknown", user: "warez", src: "192.241.237.101", srcPort: 54197,
			method: "keyboard-interactive", reason: "invalid user"}},
		{"elastic-secure-rhel7.head.log", 114, want{ts: "2026-02-22T16:48:04Z", host: "slave22", program: "sshd", pid: 2805,
			action: "auth_success", outcome: "success", user: "drewr", src: "69.245.39.97", srcPort: 34202, method: "publickey",
			keyType: "RSA", keyFP: "01:67:32:d9:b3:20:5d:2d:5f:b4:35:c5:a5:8b:0a:5e"}},
		{"elastic-secure-rhel7.head.log", 115, want{host: "slave22", program: "sshd", pid: 2805, action: "session_open", outcome: "success", user: "drewr",
			src: "69.245.39.97", srcPort: 34202}},
		{"elastic-secure-rhel7.head.log", 120, want{host: "slave22", program: "sshd", pid: 2805, action: "session_close", outcome: "success", user: "drewr",
			src: "69.245.39.97", srcPort: 34202}},
		{"elastic-timestamp-iso8601.log", 1, want{ts: "2019-06-14T10:40:20.912134Z", host: "localhost", program: "sudo",
			action: "other", outcome: "success", user: "root", reason: "sudo session opened by userauth3(uid=0)"}},
	}
	byFile := map[string][]*schema.Event{}
	for _, c := range cases {
		if _, ok := byFile[c.file]; !ok {
			evs, _ := runFile(t, filepath.Join("testdata", c.file))
			byFile[c.file] = evs
		}
		var ev *schema.Event
		for _, e := range byFile[c.file] {
			if e.Line == c.line {
				ev = e
				break
			}
		}
		where := c.file + ":" + itoa(c.line)
		if ev == nil {
			t.Errorf("%s: no event", where)
			continue
		}
		check(t, where, ev, c.w)
	}
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestFileCounts pins what each real file yields, so a change in any form
// shows up as a count.
func TestFileCounts(t *testing.T) {
	cases := []struct {
		file                                   string
		events, ignored, malformed, other, fes int
		actions                                map[string]int
	}{
		// The two "SSH: Server;Ltype:" lines (Kex, Authname) are known now.
		{"fail2ban-sshd.log", 155, 0, 0, 0, 0, map[string]int{"auth_failure": 30, "auth_success": 4, "invalid_user": 4,
			"disconnect": 68, "pam": 34, "connection": 10, "session_open": 2, "auth_partial": 1, "other": 2}},
		{"wazuh-sshd-entries.log", 345, 0, 0, 0, 0, map[string]int{"invalid_user": 345}},
		{"elastic-secure-rhel7.head.log", 123, 0, 0, 0, 0, map[string]int{"auth_failure": 42, "pam": 67, "disconnect": 11,
			"auth_success": 1, "session_open": 1, "session_close": 1}},
		// 3 lines with "De  31" (a truncated "Déc") are December.
		{"fail2ban-locale-metalog.log", 19, 0, 0, 0, 0, map[string]int{"pam": 19}},
		{"elastic-timestamp-iso8601.log", 1, 1, 0, 0, 0, map[string]int{"other": 1}},
	}
	for _, c := range cases {
		evs, st := runFile(t, filepath.Join("testdata", c.file))
		got := map[string]int{}
		for _, e := range evs {
			got[e.Action]++
		}
		if len(evs) != c.events || st.Ignored != c.ignored || st.Malformed != c.malformed || st.Other != c.other || len(st.FileErrors) != c.fes {
			t.Errorf("%s: events %d ignored %d malformed %d other %d file errors %d; want %d %d %d %d %d",
				c.file, len(evs), st.Ignored, st.Malformed, st.Other, len(st.FileErrors), c.events, c.ignored, c.malformed, c.other, c.fes)
		}
		for k, v := range c.actions {
			if got[k] != v {
				t.Errorf("%s: %s = %d, want %d (all: %v)", c.file, k, got[k], v, got)
			}
		}
	}
}

// TestImportTwiceSameIDs: ids depend on content and position only, so a
// second import of the same bytes (under another name too) gives the same ids.
func TestImportTwiceSameIDs(t *testing.T) {
	data, err := os.ReadFile("testdata/fail2ban-sshd.log")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := run(t, "a.log", data, importers.Options{})
	b, _ := run(t, "copy-of-a.log", data, importers.Options{})
	if len(a) != len(b) || len(a) != 155 {
		t.Fatalf("events %d and %d, want 155", len(a), len(b))
	}
	ids := map[string]bool{}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatalf("event %d: id %s then %s", i, a[i].ID, b[i].ID)
		}
		ids[a[i].ID] = true
	}
	if len(ids) != 155 {
		t.Errorf("%d distinct ids, want 155", len(ids))
	}
}

// TestLoghubCorpus reads the research-only loghub files where they are.
func TestLoghubCorpus(t *testing.T) {
	evs, st := runFile(t, corpusFile(t, "loghub-OpenSSH_2k.log"))
	got := map[string]int{}
	for _, e := range evs {
		got[e.Action]++
	}
	// 2000 lines, two of them "message repeated 5 times": 2000 + 2*4 events.
	if len(evs) != 2008 || st.Other != 0 || st.Malformed != 0 {
		t.Errorf("OpenSSH_2k: %d events, other %d, malformed %d", len(evs), st.Other, st.Malformed)
	}
	// 524 lines hold "Failed ", 2 of them "message repeated 5 times": 522 + 2*5.
	if got["auth_failure"] != 532 || got["invalid_user"] != 113 || got["auth_success"] != 1 ||
		got["disconnect"] != 516 || got["connection"] != 85 || got["pam"] != 759 {
		t.Errorf("OpenSSH_2k actions: %v", got)
	}
	evs, st = runFile(t, corpusFile(t, "loghub-Linux_2k.log"))
	sshd := 0
	for _, e := range evs {
		if e.Program == "sshd" {
			sshd++
		}
	}
	if sshd != 677 || st.Malformed != 0 || st.Ignored+len(evs) != 2000 {
		t.Errorf("Linux_2k: sshd %d, events %d, ignored %d, malformed %d", sshd, len(evs), st.Ignored, st.Malformed)
	}
}
