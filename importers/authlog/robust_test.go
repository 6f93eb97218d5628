package authlog

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
)

// realLines are four real lines (Apache-2.0, elastic-secure-rhel7.head.log
// 114-115, 119-120) that the bad input is put between.
func realLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/elastic-secure-rhel7.head.log")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Split(string(data), "\n")
	return []string{all[113], all[114], all[118], all[119]}
}

// TestBadInputKeepsGoodLines: binary junk, a line over 1 MiB and invalid
// UTF-8 are counted, never fatal, and the good lines around them are kept.
func TestBadInputKeepsGoodLines(t *testing.T) {
	good := realLines(t)
	junk := "\x00\x01\x02\xff\xfe\x7fELF\x02\x01\x01\x00\x00\x00\x00\x1b[2J\x1b]0;pwned\x07"
	long := "Feb 22 16:48:05 slave22 sshd[2805]: Failed password for " + strings.Repeat("A", importers.MaxLine+100) + " from 192.0.2.9 port 22 ssh2"
	invalid := "Feb 22 16:48:06 slave22 sshd[2806]: Invalid user llinco\xf1ir\xc3 from 192.0.2.7 port 4242"
	input := strings.Join([]string{good[0], junk, good[1], long, invalid, good[2], junk, good[3]}, "\n") + "\n"
	evs, st := run(t, "bad.log", []byte(input), importers.Options{})
	if st.Malformed != 2 || st.Truncated != 1 || len(st.Samples["malformed"]) != 2 {
		t.Errorf("malformed %d truncated %d samples %v; want 2, 1", st.Malformed, st.Truncated, st.Samples)
	}
	if st.Samples["malformed"][0] != "bad.log:2 no syslog header" {
		t.Errorf("sample %q", st.Samples["malformed"][0])
	}
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	// The long line is cut before its address: kept as sshd "other" with the
	// text that is there (a cut Failed line has no " from A port P").
	want := "auth_success session_open other invalid_user disconnect session_close"
	if got := strings.Join(actions, " "); got != want {
		t.Fatalf("actions %s, want %s", got, want)
	}
	if evs[0].Line != 1 || evs[1].Line != 3 || evs[3].Line != 5 || evs[5].Line != 8 {
		t.Errorf("lines %d %d %d %d", evs[0].Line, evs[1].Line, evs[3].Line, evs[5].Line)
	}
	if evs[2].Action != "other" || len(evs[2].Message) < importers.MaxLine-100 || st.Other != 1 {
		t.Errorf("long line: action %s, message %d bytes, other %d", evs[2].Action, len(evs[2].Message), st.Other)
	}
	if evs[3].Action != "invalid_user" || evs[3].User != "llinco\xf1ir\xc3" || evs[3].SrcIP != "192.0.2.7" {
		t.Errorf("invalid UTF-8 line: %+v", evs[3])
	}
}

// TestTruncatedGzip: a .gz cut in the middle yields its good lines, and the
// read error is reported as a file error, not returned.
func TestTruncatedGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/elastic-secure-rhel7.head.log")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.ModTime = time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC)
	zw.Write(plain)
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	evs, st := run(t, "secure.gz", cut, importers.Options{})
	if len(st.FileErrors) != 1 || !strings.Contains(st.FileErrors[0], "secure.gz") {
		t.Fatalf("file errors %v", st.FileErrors)
	}
	if len(evs) < 10 || len(evs) >= 123 {
		t.Fatalf("%d events from half a file of 123 lines", len(evs))
	}
	// Every event but the last (which may be a cut line) is a whole real line.
	lines := strings.Split(string(plain), "\n")
	for _, e := range evs[:len(evs)-1] {
		if !strings.HasSuffix(lines[e.Line-1], e.Message) {
			t.Errorf("line %d: %q not from %q", e.Line, e.Message, lines[e.Line-1])
		}
	}
	// The gzip header time gives the year.
	if evs[0].TS.Year() != 2017 || st.Assumed[0] != "year 2017 (from file time) for secure.gz" {
		t.Errorf("year %d, assumed %v", evs[0].TS.Year(), st.Assumed)
	}
}

// TestSniff: syslog content is claimed by content, whatever the name.
func TestSniff(t *testing.T) {
	rhel, _ := os.ReadFile("testdata/elastic-secure-rhel7.head.log")
	cases := []struct {
		name string
		head string
		want bool
	}{
		{"rhel secure", string(rhel[:importers.HeadSize]), true},
		{"handmade rfc5424", "<38>1 2026-03-14T02:11:09Z web1 sshd 1234 - - Accepted password for a from 192.0.2.1 port 1 ssh2\n", true},
		{"handmade iso", "2026-03-14T02:11:09.123456+00:00 web1 sshd[1]: x\n", true},
		{"handmade metalog", "Dec 31 11:59:59 [sshd] error: PAM: Authentication failure for kevin from 192.0.2.1\n", true},
		{"json", `{"__REALTIME_TIMESTAMP":"1","MESSAGE":"Accepted"}` + "\n", false},
		{"zeek tsv", "#separator \\x09\n#set_separator\t,\n", false},
		{"audit", "type=USER_AUTH msg=audit(1.2:3): pid=1\n", false},
		{"binary", "\x00\x01\x02\x03", false},
		{"empty", "", false},
	}
	for _, c := range cases {
		if got := (Importer{}).Sniff([]byte(c.head)); got != c.want {
			t.Errorf("%s: sniff %v", c.name, got)
		}
	}
}
