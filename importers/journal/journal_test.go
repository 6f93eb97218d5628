package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// importFile runs the importer over a file and returns its events and stats.
func importFile(t testing.TB, path string) ([]*schema.Event, *importers.Stats) {
	t.Helper()
	src, err := importers.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	return importSource(t, src)
}

func importSource(t testing.TB, src *importers.Source) ([]*schema.Event, *importers.Stats) {
	t.Helper()
	var evs []*schema.Event
	stats := &importers.Stats{}
	err := Importer{}.Import(context.Background(), src, importers.Options{}, stats, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, stats
}

func importBytes(t testing.TB, name string, b []byte) ([]*schema.Event, *importers.Stats) {
	t.Helper()
	src, err := importers.FromReader(name, bytes.NewReader(b), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return importSource(t, src)
}

// want is what one event must hold; action "" skips the action check (lines
// whose class the shared classifier decides and this package does not own).
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
	for i, w := range wants {
		ev := evs[i]
		if ev.Line != w.line || ev.TS.Format(time.RFC3339Nano) != w.ts || ev.Host != w.host ||
			ev.PID != w.pid || ev.Program != w.program || ev.Format != schema.FormatJournal {
			t.Errorf("event %d: got line %d ts %s host %q pid %d program %q format %q; want %+v",
				i, ev.Line, ev.TS.Format(time.RFC3339Nano), ev.Host, ev.PID, ev.Program, ev.Format, w)
		}
		if w.message != "" && ev.Message != w.message {
			t.Errorf("event %d: message %q, want %q", i, ev.Message, w.message)
		}
		if w.action != "" && ev.Action != w.action {
			t.Errorf("event %d (%s): action %q, want %q", i, ev.Message, ev.Action, w.action)
		}
		if ev.ID == "" || ev.TS.Location() != time.UTC {
			t.Errorf("event %d: id %q, zone %v", i, ev.ID, ev.TS.Location())
		}
	}
}

// Real records from koenbollen/jl (ISC): compact JSON, keys in any order.
func TestJLSSHD(t *testing.T) {
	evs, st := importFile(t, "testdata/jl-sshd.json")
	check(t, evs, []want{
		{1, "2023-06-16T12:51:36.987169Z", "example.org", 1977203, "sshd", schema.ActionInvalidUser,
			"Invalid user hacker from 127.106.119.170 port 54520"},
		{2, "2023-06-16T12:51:37.133605Z", "example.org", 1977203, "sshd", schema.ActionDisconnect,
			"Disconnected from invalid user hacker 127.106.119.170 port 54520 [preauth]"},
	})
	if st.Malformed != 0 || st.Ignored != 0 || st.Events != 2 {
		t.Errorf("stats %+v", st)
	}
	// The redacted export shortened both cursors to the same value: the
	// receive time keeps their ids apart.
	if evs[0].ID == evs[1].ID {
		t.Error("two records share an id")
	}
}

// Real records from lnav (BSD-2): "K" : "V" spacing, python, not sshd.
func TestLnavNotSSHD(t *testing.T) {
	evs, st := importFile(t, "testdata/lnav-journald.json")
	if len(evs) != 0 || st.Ignored != 2 || st.Malformed != 0 {
		t.Fatalf("events %d, stats %+v", len(evs), st)
	}
	if got := st.Samples["ignored"]; len(got) != 2 || got[1] != "testdata/lnav-journald.json:2" {
		t.Errorf("ignored samples %q", got)
	}
}

// Real record from elastic/beats (Apache-2.0): MESSAGE is an array of bytes
// holding a \r, and the file is pretty-printed (json-pretty).
func TestBeatsByteArrayMessage(t *testing.T) {
	raw, err := os.ReadFile("testdata/beats-corner-case-byte-array-message.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	f, err := parseRecord(compact.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := fields{
		Message: "Unable to parse indicator of AT+BIA command: AT+BIA=1,1,0,0,0\rAT+BCS=2",
		TS:      time.UnixMicro(1719859366807141).UTC(), TSRaw: "1719859366807141",
		Host: "millennium-falcon", Program: "pulseaudio", PID: 3728,
		Cursor: "s=e82795fad4ce42b79fb3da0866d91f7e;i=4b454d;b=62c460d8931346bf85d24dfe22d2d2fb;m=39c3b04e4;t=61c33f69f4665;x=8dd4baba5585d42b",
	}
	if f != want {
		t.Errorf("got %+v\nwant %+v", f, want)
	}
	// As a file, pretty-printed over 36 lines: one record, pulseaudio, ignored.
	evs, st := importFile(t, "testdata/beats-corner-case-byte-array-message.json")
	if len(evs) != 0 || st.Ignored != 1 || st.Malformed != 0 || st.Samples["ignored"][0] != "testdata/beats-corner-case-byte-array-message.json:1" {
		t.Errorf("events %d, stats %+v", len(evs), st)
	}
}

const t0 = "2026-03-14T03:40:1"

// handmade: every envelope case, and two bad records at the end.
var handmadeWant = []want{
	{1, t0 + "2.123456Z", "web-01", 4101, "sshd", schema.ActionConnection, `Connection from 203.0.113.7 port 50122 on 10.0.0.5 port 22 rdomain ""`},
	{2, t0 + "3.123456Z", "web-01", 4102, "sshd-session", schema.ActionAuthFailure, "Failed password for root from 203.0.113.7 port 50122 ssh2"},
	{3, t0 + "4.123456Z", "web-01", 4102, "sshd-session", schema.ActionInvalidUser, "Invalid user oracle from 203.0.113.7 port 50124"},
	{4, t0 + "5.123456Z", "web-01", 4110, "sshd-session", schema.ActionAuthSuccess, "Accepted publickey for alice from 198.51.100.20 port 41022 ssh2: ED25519 SHA256:Ykq3kH0tBq6cJd1x6l8Qm1m3cTt2yqf0X9s3e0m1bQk"},
	{5, t0 + "5.123456Z", "web-01", 4110, "sshd-session", schema.ActionSessionOpen, ""},
	// 6 systemd, 7 CRON: ignored
	{8, t0 + "8.123456Z", "web-01", 4300, "sudo", "", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"}, // SYSLOG_PID only
	{9, t0 + "9.123456Z", "web-01", 4120, "sshd", schema.ActionAuthFailure, ""},                                                   // _COMM only
	{10, "2026-03-14T03:40:20.123456Z", "web-01", 4130, "sshd-session", schema.ActionAuthFailure, "Failed password for \x1b[31mevil from 203.0.113.9 port 50200 ssh2"},
	{11, "2026-03-14T03:40:21.123456Z", "web-01", 4110, "sshd-session", schema.ActionDisconnect, ""}, // _HOSTNAME given twice
}

func TestHandmade(t *testing.T) {
	evs, st := importFile(t, "testdata/handmade-sshd.json")
	check(t, evs, handmadeWant)
	if st.Events != 9 || st.Ignored != 2 || st.Malformed != 2 || st.Formats[schema.FormatJournal] != 9 {
		t.Errorf("stats %+v", st)
	}
	mal := st.Samples["malformed"]
	if len(mal) != 2 || mal[0] != "testdata/handmade-sshd.json:12 no __REALTIME_TIMESTAMP" ||
		!strings.HasPrefix(mal[1], "testdata/handmade-sshd.json:13 ") {
		t.Errorf("malformed samples %q", mal)
	}
}

// json-seq prefixes each record with RS (0x1e): same records, same ids.
func TestJSONSeqSameIDs(t *testing.T) {
	seq, st := importFile(t, "testdata/handmade-sshd.json-seq")
	check(t, seq, handmadeWant[:4])
	if st.Malformed != 0 {
		t.Errorf("stats %+v", st)
	}
	plain, _ := importFile(t, "testdata/handmade-sshd.json")
	for i := range seq {
		if seq[i].ID != plain[i].ID {
			t.Errorf("record %d: id %s from json-seq, %s from json", i+1, seq[i].ID, plain[i].ID)
		}
	}
}

// The same journal record exported twice (overlapping --since windows, in
// other files at other lines) gets one id, so a re-import adds nothing.
func TestSameRecordTwoExports(t *testing.T) {
	raw, err := os.ReadFile("testdata/handmade-sshd.json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	a, _ := importBytes(t, "export-a.json", []byte(strings.Join(lines[0:5], "")))
	b, _ := importBytes(t, "export-b.json", []byte(strings.Join(lines[3:9], "")))
	if a[3].Line != 4 || b[0].Line != 1 || a[3].ID != b[0].ID || a[4].ID != b[1].ID {
		t.Errorf("ids differ: %s/%s, %s/%s", a[3].ID, b[0].ID, a[4].ID, b[1].ID)
	}
	if a[0].ID == a[1].ID {
		t.Error("distinct records share an id")
	}
}

// handmade bad input, one case per row: what is good around it is kept.
func TestHandmadeBadInput(t *testing.T) {
	good := `{"__REALTIME_TIMESTAMP":"1773459612000000","_HOSTNAME":"h","SYSLOG_IDENTIFIER":"sshd","_PID":"7","MESSAGE":"Accepted password for bob from 198.51.100.21 port 41100 ssh2"}`
	cases := []struct {
		name      string
		in        string
		events    int
		malformed int
	}{
		{"cut line", good + "\n" + good[:40] + "\n" + good + "\n", 2, 1},
		{"not json", "hello\n" + good + "\n", 1, 1},
		{"byte over 255", `{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":[65,256]}` + "\n" + good, 1, 1},
		{"number message", `{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":5}` + "\n" + good, 1, 1},
		{"bad time", `{"__REALTIME_TIMESTAMP":"soon","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"x"}` + "\n" + good, 1, 1},
		{"null message", `{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":null}`, 1, 0},
		{"pretty cut", "{\n\"MESSAGE\" : \"x\",\n" + good + "\n", 0, 1},
		{"pretty reopened", "{\n\"MESSAGE\" : \"x\",\n{\n" + `"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"y"` + "\n}\n", 1, 1},
		{"blank lines", "\n\n" + good + "\n\r\n", 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, st := importBytes(t, "bad.json", []byte(c.in))
			if len(evs) != c.events || st.Malformed != c.malformed {
				t.Errorf("events %d malformed %d, want %d %d (%q)", len(evs), st.Malformed, c.events, c.malformed, st.Samples)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		file string
		want bool
	}{
		{"jl-sshd.json", true}, {"lnav-journald.json", true}, {"beats-corner-case-byte-array-message.json", true},
		{"handmade-sshd.json", true}, {"handmade-sshd.json-seq", true},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := (Importer{}).Sniff(b[:min(len(b), importers.HeadSize)]); got != c.want {
			t.Errorf("%s: sniff %v", c.file, got)
		}
	}
	for _, s := range []string{`{"ts":1,"uid":"C1"}`, "Mar 14 03:40:12 web-01 sshd[1]: x", `[{"eventMessage":"x"}]`, ""} {
		if (Importer{}).Sniff([]byte(s)) {
			t.Errorf("sniffed %q", s)
		}
	}
}

func TestRegistered(t *testing.T) {
	if imp, ok := importers.Lookup("journal"); !ok || imp.Name() != "journal" {
		t.Fatal("journal not registered")
	}
}
