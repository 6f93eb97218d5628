package unified

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

func importFile(t testing.TB, path string, opts importers.Options) ([]*schema.Event, *importers.Stats) {
	t.Helper()
	src, err := importers.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	return importSource(t, src, opts)
}

func importBytes(t testing.TB, name, in string, opts importers.Options) ([]*schema.Event, *importers.Stats) {
	t.Helper()
	src, err := importers.FromReader(name, strings.NewReader(in), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return importSource(t, src, opts)
}

func importSource(t testing.TB, src *importers.Source, opts importers.Options) ([]*schema.Event, *importers.Stats) {
	t.Helper()
	var evs []*schema.Event
	stats := &importers.Stats{}
	err := Importer{}.Import(context.Background(), src, opts, stats, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, stats
}

// want is one expected event; action "" leaves the class to the shared
// classifier's own tests, message "" skips the message check.
type want struct {
	line    int64
	ts      string
	host    string
	pid     int
	program string
	action  string
	message string
}

func check(t *testing.T, evs []*schema.Event, wants []want) {
	t.Helper()
	if len(evs) != len(wants) {
		t.Fatalf("got %d events, want %d", len(evs), len(wants))
	}
	ids := map[string]bool{}
	for i, w := range wants {
		ev := evs[i]
		if ev.Line != w.line || ev.TS.Format(time.RFC3339Nano) != w.ts || ev.Host != w.host ||
			ev.PID != w.pid || ev.Program != w.program || ev.Format != schema.FormatUnified {
			t.Errorf("event %d: got line %d ts %s host %q pid %d program %q format %q; want %+v",
				i, ev.Line, ev.TS.Format(time.RFC3339Nano), ev.Host, ev.PID, ev.Program, ev.Format, w)
		}
		if w.message != "" && ev.Message != w.message {
			t.Errorf("event %d: message %q, want %q", i, ev.Message, w.message)
		}
		if w.action != "" && ev.Action != w.action {
			t.Errorf("event %d (%s): action %q, want %q", i, ev.Message, ev.Action, w.action)
		}
		if ev.ID == "" || ids[ev.ID] {
			t.Errorf("event %d: id %q empty or repeated", i, ev.ID)
		}
		ids[ev.ID] = true
	}
}

const (
	msgFailed   = "Failed password for admin from 203.0.113.50 port 51234 ssh2"
	msgInvalid  = "Invalid user test from 203.0.113.50 port 51240"
	msgAccepted = "Accepted publickey for alice from 192.0.2.10 port 50022 ssh2: ED25519 SHA256:Ykq3kH0tBq6cJd1x6l8Qm1m3cTt2yqf0X9s3e0m1bQk"
	msgRecvDisc = "Received disconnect from 192.0.2.10 port 50022:11: disconnected by user"
	msgKerberos = "in pam_sm_authenticate(): Failed to determine Kerberos principal name."
)

// handmade-sshd.ndjson: `log show --style ndjson` with a banner, records of
// other processes and of an activity, a line cut mid-write and the trailer.
func TestNDJSON(t *testing.T) {
	evs, st := importFile(t, "testdata/handmade-sshd.ndjson", importers.Options{Host: "macbook"})
	h := "macbook"
	check(t, evs, []want{
		{2, "2026-03-14T03:40:12.123456Z", h, 1234, "sshd-session", schema.ActionAuthFailure, msgFailed},
		{3, "2026-03-14T03:40:13.25Z", h, 1234, "sshd-session", schema.ActionInvalidUser, msgInvalid},
		{4, "2026-03-14T03:40:14.000001Z", h, 1240, "sshd-session", schema.ActionAuthSuccess, msgAccepted}, // written -0700
		// 5 opendirectoryd, 6 an activityCreateEvent: ignored
		{7, "2026-03-14T03:40:15Z", h, 1180, "sshd-keygen-wrapper", schema.ActionOther, "sshd-keygen-wrapper: host keys present"},
		{8, "2026-03-14T03:41:02.5Z", h, 1240, "sshd-session", schema.ActionDisconnect, msgRecvDisc},
		{9, "2026-03-14T03:41:02.5001Z", h, 1240, "sshd-session", schema.ActionDisconnect, "Disconnected from user alice 192.0.2.10 port 50022"},
		{10, "2026-03-14T03:41:05Z", h, 1250, "sshd-session", schema.ActionAuthFailure,
			"Failed keyboard-interactive/pam for invalid user \x1b]0;pwned\a from 203.0.113.51 port 40404 ssh2"},
		// 11 cut mid-write: malformed
		{12, "2026-03-14T03:41:06Z", h, 1251, "sshd", schema.ActionDisconnect, "Connection closed by 203.0.113.51 port 40406 [preauth]"},
	})
	if st.Events != 8 || st.Ignored != 2 || st.Malformed != 1 || st.Other != 1 ||
		!slices.Equal(st.Samples["malformed"][:1], []string{"testdata/handmade-sshd.ndjson:11 unexpected end of JSON input"}) ||
		!slices.Equal(st.Samples["ignored"], []string{"testdata/handmade-sshd.ndjson:5", "testdata/handmade-sshd.ndjson:6"}) {
		t.Errorf("stats %+v", st)
	}
	if !slices.Equal(st.Assumed, []string{"host macbook from --host for handmade-sshd.ndjson"}) {
		t.Errorf("assumed %q", st.Assumed)
	}
}

// Without --host, the host comes from the folder or a file name that is a
// host name (importers.HostFor), never from the first word of any name.
func TestHostFromFileName(t *testing.T) {
	raw, err := os.ReadFile("testdata/handmade-sshd.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, host, assumed string }{
		{"macbook-sshd.ndjson", "macbook", "host macbook from the file name macbook-sshd.ndjson"},
		{"/cases/42/mbp.local.json", "mbp.local", "host mbp.local from the file name mbp.local.json"},
		{"/cases/42/mbp-ana/system.log", "mbp-ana", "host mbp-ana from the folder name for mbp-ana/system.log"},
		{"/cases/42/logs/system.log", "unknown", "no host for system.log: neither the records, --host, its folder nor its file name name one"},
		{"stdin", "unknown", "no host for stdin (no host in the records, no --host)"},
	} {
		evs, st := importBytes(t, c.name, string(raw), importers.Options{})
		if len(evs) != 8 || evs[0].Host != c.host || !slices.Equal(st.Assumed, []string{c.assumed}) {
			t.Errorf("%s: %d events, host %q, assumed %q", c.name, len(evs), evs[0].Host, st.Assumed)
		}
	}
}

// handmade-sshd.json: `log show --style json`, pretty, one array.
func TestJSONArray(t *testing.T) {
	evs, st := importFile(t, "testdata/handmade-sshd.json", importers.Options{Host: "mbp"})
	check(t, evs, []want{
		{1, "2026-03-14T03:40:12.123456Z", "mbp", 1234, "sshd-session", schema.ActionAuthFailure, msgFailed},
		{2, "2026-03-14T03:40:14.000001Z", "mbp", 1240, "sshd-session", schema.ActionAuthSuccess, msgAccepted},
		// element 3: opendirectoryd
		{4, "2026-03-14T03:41:02.5Z", "mbp", 1240, "sshd-session", schema.ActionDisconnect, msgRecvDisc},
	})
	if st.Events != 3 || st.Ignored != 1 || st.Malformed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// handmade-cut.json: the same array cut inside its third element: the two
// complete elements are kept, the cut is counted.
func TestJSONArrayCut(t *testing.T) {
	evs, st := importFile(t, "testdata/handmade-cut.json", importers.Options{Host: "mbp"})
	check(t, evs, []want{
		{1, "2026-03-14T03:40:12.123456Z", "mbp", 1234, "sshd-session", schema.ActionAuthFailure, msgFailed},
		{2, "2026-03-14T03:40:14.000001Z", "mbp", 1240, "sshd-session", schema.ActionAuthSuccess, msgAccepted},
	})
	if st.Malformed != 1 || !slices.Equal(st.Samples["malformed"], []string{"testdata/handmade-cut.json:3 record 3: unexpected EOF"}) {
		t.Errorf("stats %+v", st)
	}
}

// The same record has the same id in the same file, and the array and
// ndjson styles agree on every field but id, line and file.
func TestStylesAgree(t *testing.T) {
	nd, _ := importFile(t, "testdata/handmade-sshd.ndjson", importers.Options{Host: "h"})
	again, _ := importFile(t, "testdata/handmade-sshd.ndjson", importers.Options{Host: "h"})
	arr, _ := importFile(t, "testdata/handmade-sshd.json", importers.Options{Host: "h"})
	def, _ := importFile(t, "testdata/handmade-default.log", importers.Options{Host: "h"})
	for i := range nd {
		if nd[i].ID != again[i].ID {
			t.Errorf("record %d: id changed between imports", i)
		}
	}
	pairs := [][2]*schema.Event{{nd[0], arr[0]}, {nd[2], arr[1]}, {nd[4], arr[2]}, {nd[0], def[0]}, {nd[2], def[3]}, {nd[4], def[6]}}
	for _, p := range pairs {
		a, b := *p[0], *p[1]
		a.ID, a.Line, a.File, a.TSRaw = "", 0, "", ""
		b.ID, b.Line, b.File, b.TSRaw = "", 0, "", ""
		if a != b {
			t.Errorf("styles disagree:\n%+v\n%+v", a, b)
		}
	}
}

// handmade-default.log: the default text style with banner, column header,
// footer, sender-image and subsystem prefixes and a multi-line message.
func TestDefaultStyle(t *testing.T) {
	evs, st := importFile(t, "testdata/handmade-default.log", importers.Options{})
	h := "unknown" // a test file's name ("handmade-…") names no host
	check(t, evs, []want{
		{4, "2026-03-14T03:40:12.123456Z", h, 1234, "sshd-session", schema.ActionAuthFailure, msgFailed},
		{5, "2026-03-14T03:40:13.25Z", h, 1234, "sshd-session", schema.ActionInvalidUser, msgInvalid},
		{6, "2026-03-14T03:40:13.9Z", h, 1240, "sshd-session", "", msgKerberos},
		{7, "2026-03-14T03:40:14.000001Z", h, 1240, "sshd-session", schema.ActionAuthSuccess, msgAccepted},
		// 8: opendirectoryd
		{9, "2026-03-14T03:40:15Z", h, 1180, "sshd-keygen-wrapper", "", "host keys present"},
		{10, "2026-03-14T03:40:20Z", h, 1240, "sshd-session", "", "User child is on pid 1241"},
		{11, "2026-03-14T03:41:02.5Z", h, 1240, "sshd-session", schema.ActionDisconnect, msgRecvDisc},
		{12, "2026-03-14T03:41:05Z", h, 1250, "sshd-session", "",
			"error: kex_exchange_identification: banner line contains invalid characters\n  second line of that message\n\nthird line after a blank one"},
		{16, "2026-03-14T03:41:06Z", h, 1251, "sshd", schema.ActionDisconnect, "Connection closed by 203.0.113.51 port 40406 [preauth]"},
	})
	if st.Events != 9 || st.Ignored != 1 || st.Malformed != 0 ||
		!slices.Equal(st.Assumed, []string{"no host for handmade-default.log: neither the records, --host, its folder nor its file name name one"}) {
		t.Errorf("stats %+v", st)
	}
}

// handmade-compact.log: times without a zone, read in --tz (UTC by default).
func TestCompactStyle(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	for _, c := range []struct {
		loc   *time.Location
		first string
		zone  string
	}{
		{nil, "2026-03-14T03:40:12.123Z", "zone UTC for compact-style times in handmade-compact.log"},
		{la, "2026-03-14T10:40:12.123Z", "zone America/Los_Angeles for compact-style times in handmade-compact.log"}, // PDT, -0700
	} {
		evs, st := importFile(t, "testdata/handmade-compact.log", importers.Options{Host: "mbp", Location: c.loc})
		if len(evs) != 5 || st.Ignored != 1 || st.Malformed != 0 || !slices.Contains(st.Assumed, c.zone) {
			t.Fatalf("%d events, stats %+v", len(evs), st)
		}
		if got := evs[0].TS.Format(time.RFC3339Nano); got != c.first || evs[0].TSRaw != "2026-03-14 03:40:12.123" {
			t.Errorf("ts %s (%s), want %s", got, evs[0].TSRaw, c.first)
		}
	}
	evs, _ := importFile(t, "testdata/handmade-compact.log", importers.Options{Host: "mbp"})
	check(t, evs, []want{
		{3, "2026-03-14T03:40:12.123Z", "mbp", 1234, "sshd-session", schema.ActionAuthFailure, msgFailed},
		{4, "2026-03-14T03:40:13.25Z", "mbp", 1234, "sshd-session", schema.ActionInvalidUser, msgInvalid},
		{5, "2026-03-14T03:40:13.9Z", "mbp", 1240, "sshd-session", "", msgKerberos},
		{6, "2026-03-14T03:40:14Z", "mbp", 1240, "sshd-session", schema.ActionAuthSuccess, msgAccepted},
		{8, "2026-03-14T03:41:02.5Z", "mbp", 1240, "sshd-session", schema.ActionDisconnect, msgRecvDisc},
	})
}

// Real macOS sshd lines in the syslog style, from wazuh-ruleset (GPL-2.0).
// The host column says "localhost" on every Mac, so --host (or the file
// name) wins over it.
func TestWazuhSyslogStyle(t *testing.T) {
	evs, st := importFile(t, "testdata/wazuh-macos-sshd-syslog-style.log", importers.Options{Host: "mac-mini"})
	if len(evs) != 21 || st.Events != 21 || st.Malformed != 0 || st.Ignored != 0 {
		t.Fatalf("%d events, stats %+v", len(evs), st)
	}
	h := "mac-mini"
	check(t, []*schema.Event{evs[0], evs[3], evs[4], evs[7], evs[8], evs[9], evs[10], evs[11], evs[20]}, []want{
		{1, "2020-03-23T13:47:42.801612Z", h, 3186, "sshd", "", "error: PAM: unknown user for illegal user badguy from 192.168.33.1"},
		{4, "2020-03-24T15:38:42.344447Z", h, 2519, "sshd", schema.ActionAuthFailure, "Failed password for user from 172.18.1.100 port 43042 ssh2"},
		{5, "2020-03-25T15:01:34.584936Z", h, 1551, "sshd", schema.ActionAuthFailure, "Failed keyboard-interactive/pam for invalid user user from 172.18.1.1 port 32982 ssh2"},
		{8, "2020-03-24T13:07:15.245255Z", h, 195, "sshd", schema.ActionDisconnect, "Connection closed by 10.0.2.2 port 55462 [preauth]"},
		{9, "2020-03-24T15:38:47.230409Z", h, 2531, "sshd", schema.ActionDisconnect, "Disconnected from user user 172.18.1.100 port 43042"},
		{10, "2020-03-24T13:07:50.998187Z", h, 201, "sshd", schema.ActionAuthSuccess, "Accepted publickey for user from 10.0.2.2 port 55468 ssh2: RSA SHA256:loremipsum"},
		{11, "2020-03-24T15:38:44.727732Z", h, 2519, "sshd", schema.ActionAuthSuccess, "Accepted password for user from 172.18.1.100 port 43042 ssh2"},
		{12, "2020-03-24T15:40:21.958634Z", h, 2546, "sshd", schema.ActionAuthSuccess, "Accepted keyboard-interactive/pam for user from 172.18.1.100 port 43044 ssh2"},
		{21, "2020-03-25T13:37:50.176931Z", h, 852, "sshd", "", "Bad protocol version identification 'ls' from 172.18.1.1 port 59920"},
	})
	if evs[0].TSRaw != "2020-03-23 06:47:42.801612-0700" {
		t.Errorf("ts_raw %q", evs[0].TSRaw)
	}
	// Without --host: "wazuh" (the first word) is not a host; the summary
	// says that nothing named one.
	evs, st = importFile(t, "testdata/wazuh-macos-sshd-syslog-style.log", importers.Options{})
	if evs[0].Host != "unknown" || !slices.Equal(st.Assumed, []string{"no host for wazuh-macos-sshd-syslog-style.log: neither the records, --host, its folder nor its file name name one"}) {
		t.Errorf("host %q, assumed %q", evs[0].Host, st.Assumed)
	}
}

// A real host name in the syslog column is the record's own and beats --host.
func TestSyslogHostColumn(t *testing.T) {
	in := "2026-03-14 03:40:12.123456+0000  mbp-anna sshd[41]: " + msgFailed + "\n" +
		"2026-03-14 03:40:13.000000+0000  localhost sshd[42]: " + msgInvalid + "\n"
	evs, st := importBytes(t, "case.log", in, importers.Options{Host: "given"})
	if len(evs) != 2 || evs[0].Host != "mbp-anna" || evs[1].Host != "given" || evs[0].PID != 41 {
		t.Fatalf("events %+v", evs)
	}
	if !slices.Equal(st.Assumed, []string{"host given from --host for case.log"}) {
		t.Errorf("assumed %q", st.Assumed)
	}
}

// handmade bad input, one case per row.
func TestHandmadeBadInput(t *testing.T) {
	good := `{"timestamp":"2026-03-14 03:40:12.123456+0000","eventMessage":"` + msgFailed + `","processImagePath":"\/usr\/libexec\/sshd-session","processID":7}`
	text := "2026-03-14 03:40:12.123456+0000 0x1a2b     Default     0x0                  7      0    sshd-session: " + msgFailed
	cases := []struct {
		name              string
		in                string
		events, malformed int
	}{
		{"cut ndjson line", good + "\n" + good[:50] + "\n" + good + "\n", 2, 1},
		{"bad timestamp", strings.Replace(good, "2026-03-14 03", "2026-13-14 03", 1) + "\n" + good, 1, 1},
		{"no image path", strings.Replace(good, "processImagePath", "x", 1) + "\n" + good, 1, 1},
		{"pid as string", strings.Replace(good, `"processID":7`, `"processID":"7"`, 1) + "\n" + good, 1, 1},
		{"junk before any record", "garbage\n" + text + "\n", 1, 1},
		{"array of junk", "[1,\n" + good + "]", 1, 1},
		{"array not closed", "[" + good + "," + good, 2, 1},
		{"array syntax error", "[" + good + ",}" + good + "]", 1, 1},
		{"two arrays", "[" + good + "]\n[" + good + "]\n", 2, 0},
		{"banner then array", "Filtering the log data using \"process == \\\"sshd\\\"\"\n\n[" + good + "]\n", 1, 0},
		{"empty array", "[]", 0, 0},
		{"only a banner", "Filtering the log data using \"x\"\n", 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, st := importBytes(t, "bad.json", c.in, importers.Options{Host: "h"})
			if len(evs) != c.events || st.Malformed != c.malformed {
				t.Errorf("events %d malformed %d, want %d %d (%q)", len(evs), st.Malformed, c.events, c.malformed, st.Samples)
			}
		})
	}
}

// A JSON element over 1 MiB stops the array: it is counted, the elements
// before it kept, and memory stays bounded.
func TestJSONElementTooBig(t *testing.T) {
	good := `{"timestamp":"2026-03-14 03:40:12.123456+0000","eventMessage":"x","processImagePath":"\/usr\/sbin\/sshd","processID":7}`
	huge := `{"eventMessage":"` + strings.Repeat("A", 3<<20) + `"}`
	evs, st := importBytes(t, "big.json", "["+good+","+huge+","+good+"]", importers.Options{Host: "h"})
	if len(evs) != 1 || st.Malformed != 1 || !strings.Contains(st.Samples["malformed"][0], "over 1 MiB") {
		t.Errorf("events %d, stats %+v", len(evs), st)
	}
}

func TestSniff(t *testing.T) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if !(Importer{}).Sniff(b[:min(len(b), importers.HeadSize)]) {
			t.Errorf("%s: not sniffed", f)
		}
	}
	if n != 6 {
		t.Errorf("sniffed %d files, want 6", n)
	}
	for _, s := range []string{
		`{"__REALTIME_TIMESTAMP":"1","MESSAGE":"x"}`,
		"Mar 14 03:40:12 web-01 sshd[1]: x",
		"2013-10-30T14:51:21.901728+01:00 srv sshd[1]: x",
		`{"ts":1517422326.539915,"uid":"C1","id.orig_h":"10.0.0.1"}`,
		"#separator \\x09\n",
		"type=USER_AUTH msg=audit(1.2:3): x",
		"",
	} {
		if (Importer{}).Sniff([]byte(s)) {
			t.Errorf("sniffed %q", s)
		}
	}
}

func TestRegistered(t *testing.T) {
	if imp, ok := importers.Lookup("unified"); !ok || imp.Name() != "unified" {
		t.Fatal("unified not registered")
	}
}
