package zeek

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

func load(t *testing.T, name string, opts importers.Options) ([]*schema.Event, importers.Stats) {
	t.Helper()
	src, err := importers.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var evs []*schema.Event
	var st importers.Stats
	if !(Importer{}).Sniff(src.Head) {
		t.Fatalf("%s: not sniffed as zeek", name)
	}
	err = Importer{}.Import(context.Background(), src, opts, &st, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, st
}

// loadUnmasked reads a Zeek baseline with its masked timestamps
// (XXXXXXXXXX.XXXXXX upstream) replaced by a real one, so its rows convert.
func loadUnmasked(t *testing.T, name string, opts importers.Options) ([]*schema.Event, importers.Stats) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("XXXXXXXXXX.XXXXXX"), []byte("1773453720.000001"))
	src, err := importers.FromReader(name, bytes.NewReader(data), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*schema.Event
	var st importers.Stats
	if err := (Importer{}).Import(context.Background(), src, opts, &st, func(e *schema.Event) error { evs = append(evs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return evs, st
}

func count(evs []*schema.Event, f func(*schema.Event) bool) int {
	n := 0
	for _, e := range evs {
		if f(e) {
			n++
		}
	}
	return n
}

func TestRealFiles(t *testing.T) {
	cases := []struct {
		file                      string
		events, malformed, skip   int
		ssh, conn, notice         int
		success, failure, unknown int // of ssh records
	}{
		{"rita-ssh.2024-04-19-01.log.gz", 822, 0, 0, 822, 0, 0, 0, 6, 816},
		{"rita-conn.2024-04-19-01.log.gz", 2102, 0, 0, 0, 2102, 0, 0, 0, 0},
		{"rita-conn-json.log", 29, 0, 0, 0, 29, 0, 0, 0, 0},
		{"rita-conn-truncated.log", 58, 1, 0, 0, 58, 0, 0, 0, 0}, // cut mid-record, no #close
		{"wrccdc-ssh.log.gz", 22, 0, 0, 22, 0, 0, 5, 2, 15},
		{"wrccdc-ssh.json.gz", 22, 0, 0, 22, 0, 0, 5, 2, 15},
		{"wrccdc-notice.log.gz", 0, 0, 207, 0, 0, 0, 0, 0, 0}, // all SSL::Invalid_Server_Cert
		{"wrccdc-notice.json.gz", 0, 0, 207, 0, 0, 0, 0, 0, 0},
		{"lnav-bro-conn.log", 92, 0, 0, 0, 92, 0, 0, 0, 0},
		// Zeek's own baselines mask their timestamps: every record is counted, none invented.
		{"base.protocols.ssh.basic.ssh.log", 0, 22, 0, 0, 0, 0, 0, 0, 0},
		{"policy.protocols.ssh.detect-bruteforcing.notice.log", 0, 1, 0, 0, 0, 0, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			evs, st := load(t, c.file, importers.Options{})
			got := []int{len(evs), st.Malformed, st.Skipped,
				count(evs, func(e *schema.Event) bool {
					return e.Format == schema.FormatZeekSSH && e.Action == schema.ActionNetworkSession
				}),
				count(evs, func(e *schema.Event) bool {
					return e.Format == schema.FormatZeekConn && e.Action == schema.ActionConnection
				}),
				count(evs, func(e *schema.Event) bool { return e.Format == schema.FormatZeekNotice }),
				count(evs, func(e *schema.Event) bool {
					return e.Format == schema.FormatZeekSSH && e.Outcome == schema.OutcomeSuccess
				}),
				count(evs, func(e *schema.Event) bool {
					return e.Format == schema.FormatZeekSSH && e.Outcome == schema.OutcomeFailure
				}),
				count(evs, func(e *schema.Event) bool {
					return e.Format == schema.FormatZeekSSH && e.Outcome == schema.OutcomeUnknown
				}),
			}
			want := []int{c.events, c.malformed, c.skip, c.ssh, c.conn, c.notice, c.success, c.failure, c.unknown}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("got %v want %v (samples %v)", got, want, st.Samples)
				}
			}
		})
	}
}

func TestRitaFields(t *testing.T) {
	conn, _ := load(t, "rita-conn.2024-04-19-01.log.gz", importers.Options{})
	// The first record of the real cluster log (its first column is _node_name).
	e := conn[0]
	if e.Host != "worker-eth0-1" || e.ZeekUID != "CRutLH3V8XGXbWhHYj" || e.SrcIP != "120.245.134.197" || e.SrcPort != 1433 ||
		e.DstIP != "64.225.56.201" || e.DstPort != 30003 || e.ConnState != "REJ" || e.Duration != 0.000059 ||
		!e.TS.Equal(time.Unix(1713488395, 433985000)) || e.TSRaw != "1713488395.433985" || e.Line != 9 {
		t.Fatalf("first conn record: %+v", e)
	}
	ssh := count(conn, func(e *schema.Event) bool { return e.Service == "ssh" })
	if ssh != 815 {
		t.Fatalf("service=ssh records: %d", ssh)
	}
	filtered, st := load(t, "rita-conn.2024-04-19-01.log.gz", importers.Options{ZeekConn: "ssh"})
	// 840 = port 22 or service ssh (counted with awk over the TSV).
	if len(filtered) != 840 || st.Skipped != 2102-840 {
		t.Fatalf("--zeek-conn ssh kept %d, skipped %d", len(filtered), st.Skipped)
	}
	// Every ssh.log uid has its conn.log record (the join sessions rely on).
	sshEvs, _ := load(t, "rita-ssh.2024-04-19-01.log.gz", importers.Options{})
	uids := map[string]bool{}
	for _, c := range conn {
		uids[c.ZeekUID] = true
	}
	for _, s := range sshEvs {
		if !uids[s.ZeekUID] {
			t.Fatalf("ssh uid %s has no conn record", s.ZeekUID)
		}
	}
}

func TestTSVAndJSONAgree(t *testing.T) {
	tsv, _ := load(t, "wrccdc-ssh.log.gz", importers.Options{})
	js, _ := load(t, "wrccdc-ssh.json.gz", importers.Options{})
	if len(tsv) != 22 || len(js) != 22 {
		t.Fatalf("%d TSV, %d JSON records", len(tsv), len(js))
	}
	for i := range tsv {
		a, b := *tsv[i], *js[i]
		if !a.TS.Equal(b.TS) {
			t.Fatalf("record %d ts %v vs %v", i, a.TS, b.TS)
		}
		a.ID, b.ID, a.TSRaw, b.TSRaw, a.File, b.File, a.Line, b.Line, a.TS, b.TS = "", "", "", "", "", "", 0, 0, time.Time{}, time.Time{}
		if a != b {
			t.Fatalf("record %d differs:\n tsv %+v\njson %+v", i, a, b)
		}
	}
	first := js[0]
	if first.ZeekUID != "C2MugGdsn3ZVI1wn6" || first.Outcome != schema.OutcomeSuccess || first.Client != "SSH-2.0-OpenSSH_7.6" ||
		first.Server != "SSH-2.0-OpenSSH_7.4p1 Raspbian-10+deb9u3" || first.ServerKeyFP != "2d:37:6b:11:43:f8:96:08:fe:60:42:20:98:9f:75:af" ||
		first.KeyFP != "" || first.KeyType != "" || first.DstPort != 22 {
		t.Fatalf("first wrccdc record: %+v", first)
	}
}

// Zeek 8.1 baselines name the column host_key_fingerprint; their masked
// timestamps are replaced by a real one here so the row converts.
func TestZeek81HostKeyFingerprint(t *testing.T) {
	evs, st := loadUnmasked(t, "base.protocols.ssh.curve25519_kex.ssh.log", importers.Options{Host: "sensor1"})
	if len(evs) != 1 || st.Malformed != 0 {
		t.Fatalf("%d events, %d malformed", len(evs), st.Malformed)
	}
	if evs[0].ServerKeyFP != "SHA256:trtjp/Gp6neQFvx/rk16+fmc3q8dWs/0" || evs[0].KeyFP != "" || evs[0].Host != "sensor1" {
		t.Fatalf("host key fingerprint / host: %+v", evs[0])
	}
}

func TestHandmade(t *testing.T) {
	evs, st := load(t, "handmade-hassh-concat.ssh.log", importers.Options{})
	if len(evs) != 2 || st.Malformed != 0 {
		t.Fatalf("two header blocks: %d events, %d malformed %v", len(evs), st.Malformed, st.Samples)
	}
	a, b := evs[0], evs[1]
	if a.HASSH != "b5752e36ba6c5979a575e43178908adf" || a.HASSHServer != "5a0cb7e5e5d7e4ff0bd0b2e1f3d67d26" || a.Outcome != schema.OutcomeSuccess ||
		a.ServerKeyFP != "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8" || a.KeyFP != "" || a.Host != "" ||
		a.Direction != "INBOUND" || a.Reason != "" {
		t.Fatalf("hassh record: %+v", a)
	}
	if b.Host != "zeek-core01" || b.Client != "" || b.Server != "SSH-2.0-OpenSSH_8.7" || b.Outcome != schema.OutcomeUnknown || b.SrcIP != "10.0.1.10" {
		t.Fatalf("second block record: %+v", b)
	}
	evs, st = load(t, "handmade-nofields.conn.log", importers.Options{})
	if len(evs) != 0 || st.Malformed != 1 || st.Samples["malformed"][0] != "testdata/handmade-nofields.conn.log:3 record before any #fields header" {
		t.Fatalf("no #fields: %d events %d malformed", len(evs), st.Malformed)
	}
	evs, st = load(t, "handmade-nested.json", importers.Options{})
	if len(evs) != 2 || st.Malformed != 1 {
		t.Fatalf("nested json: %d events %d malformed", len(evs), st.Malformed)
	}
	if evs[0].Format != schema.FormatZeekSSH || evs[0].SrcIP != "10.0.1.10" || evs[0].DstIP != "10.0.2.20" || evs[0].Outcome != schema.OutcomeSuccess {
		t.Fatalf("nested id: %+v", evs[0])
	}
	if evs[1].Format != schema.FormatZeekConn || evs[1].BytesOut != 104857600 || evs[1].Duration != 3600.5 || evs[1].Service != "" {
		t.Fatalf("plain json conn: %+v", evs[1])
	}
}

func TestStableIDs(t *testing.T) {
	a, _ := load(t, "wrccdc-ssh.log.gz", importers.Options{})
	b, _ := load(t, "wrccdc-ssh.log.gz", importers.Options{})
	seen := map[string]bool{}
	for i := range a {
		if a[i].ID != b[i].ID || seen[a[i].ID] {
			t.Fatalf("ids not stable/unique at %d", i)
		}
		seen[a[i].ID] = true
	}
}

func FuzzTSVHeader(f *testing.F) {
	for _, name := range []string{"handmade-hassh-concat.ssh.log", "lnav-bro-conn.log", "base.protocols.ssh.basic.ssh.log", "handmade-pipe.notice.log"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		if len(data) > 4096 {
			data = data[:4096]
		}
		f.Add(data)
	}
	f.Add([]byte("#separator \\x\n#fields\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := importers.FromReader("fuzz.log", bytes.NewReader(data), time.Time{})
		if err != nil {
			return
		}
		var st importers.Stats
		Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(e *schema.Event) error {
			if e.ID == "" || e.Format == "" {
				t.Fatalf("event without id/format: %+v", e)
			}
			return nil
		})
	})
}

// A hand-made notice.log written with every header knob turned: "|" as
// separator, ";" between set members, EMPTY and NONE markers; its JSON twin
// reads the same.
func TestHandmadeHeaderKnobs(t *testing.T) {
	evs, st := load(t, "handmade-pipe.notice.log", importers.Options{})
	if len(evs) != 3 || st.Skipped != 1 || st.Malformed != 1 {
		t.Fatalf("%d events, %d skipped, %d malformed %v", len(evs), st.Skipped, st.Malformed, st.Samples)
	}
	if got := st.Samples["malformed"]; len(got) != 1 || got[0] != "testdata/handmade-pipe.notice.log:12 12 columns, header has 14" {
		t.Fatalf("malformed sample %q", got)
	}
	if got := st.Samples["skipped"]; len(got) != 1 || got[0] != "testdata/handmade-pipe.notice.log:11 not an SSH record (notice)" {
		t.Fatalf("skipped sample %q", got)
	}
	a, b, c := evs[0], evs[1], evs[2]
	if a.Notice != "SSH::Login_By_Password_Guesser" || a.SrcIP != "198.51.100.23" || a.SrcPort != 40024 || a.DstIP != "10.0.1.10" ||
		a.DstPort != 22 || a.Reason != "" || a.ZeekUID != "CmES5u32sYpV7JYN" || a.Line != 9 || a.Action != schema.ActionNotice ||
		a.Outcome != schema.OutcomeUnknown || a.Message != "SSH::Login_By_Password_Guesser: 198.51.100.23 successfully logged in by guessing passwords" {
		t.Fatalf("first notice: %+v", a)
	}
	if b.Notice != "SSH::Password_Guessing" || b.SrcIP != "203.0.113.9" || b.DstIP != "" || b.DstPort != 0 || b.ZeekUID != "" ||
		b.Reason != "Sampled servers:  10.0.1.10, 10.0.1.11" || !b.TS.Equal(time.Unix(1773453790, 5e8)) {
		t.Fatalf("address notice: %+v", b)
	}
	if c.Notice != "SSH::Watched_Country_Login" || c.Line != 13 || c.SrcIP != "10.0.1.11" {
		t.Fatalf("notice after the bad row: %+v", c)
	}

	// The set column and every other field read alike in TSV and JSON.
	h := newHeader()
	data, _ := os.ReadFile("testdata/handmade-pipe.notice.log")
	lines := strings.Split(string(data), "\n")
	for _, l := range lines[:8] {
		if err := h.directive(l); err != nil {
			t.Fatal(err)
		}
	}
	var fromTSV, fromJSON rec
	if err := h.parse(lines[8], &fromTSV); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile("testdata/handmade-pipe.notice.json")
	if err := parseJSON(strings.TrimSpace(string(js)), &fromJSON); err != nil {
		t.Fatal(err)
	}
	fromJSON.v[fPath], fromJSON.set[fPath] = "", false // TSV has it in #path
	if fromTSV != fromJSON {
		t.Fatalf("TSV and JSON differ:\n%+v\n%+v", fromTSV, fromJSON)
	}
	if fromTSV.str(fActions) != "Notice::ACTION_LOG,Notice::ACTION_EMAIL" || !fromTSV.has(fSub) || fromTSV.str(fSub) != "" {
		t.Fatalf("set / empty field: %+v", fromTSV)
	}
}

// Zeek's detect-bruteforcing baseline: its masked timestamp is replaced by a
// real one so the notice converts.
func TestBruteforcingNotice(t *testing.T) {
	evs, st := loadUnmasked(t, "policy.protocols.ssh.detect-bruteforcing.notice.log", importers.Options{})
	if len(evs) != 1 || st.Malformed != 0 || st.Skipped != 0 {
		t.Fatalf("%d events, %d malformed, %d skipped", len(evs), st.Malformed, st.Skipped)
	}
	e := evs[0]
	if e.Format != schema.FormatZeekNotice || e.Notice != "SSH::Password_Guessing" || e.SrcIP != "192.168.56.1" || e.DstIP != "" ||
		e.Reason != "Sampled servers:  192.168.56.103, 192.168.56.103, 192.168.56.103, 192.168.56.103, 192.168.56.103" ||
		!strings.HasPrefix(e.Message, "SSH::Password_Guessing: 192.168.56.1 appears to be guessing SSH passwords (seen in 10 connections).") ||
		e.Host != "" || e.Line != 9 {
		t.Fatalf("notice: %+v", e)
	}
}

// Other Zeek logs, and plain JSON records of no known log, are skipped with
// a sample per kind; the conn record among them is kept.
func TestSkippedLogs(t *testing.T) {
	evs, st := load(t, "handmade-mixed.json", importers.Options{})
	if len(evs) != 1 || st.Skipped != 2 || st.Malformed != 0 {
		t.Fatalf("%d events, %d skipped, %d malformed", len(evs), st.Skipped, st.Malformed)
	}
	want := []string{"testdata/handmade-mixed.json:1 not an SSH record (dns)", "testdata/handmade-mixed.json:2 not an SSH record (unknown)"}
	if got := st.Samples["skipped"]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("skipped samples %q", got)
	}
	if e := evs[0]; e.Host != "sensor-a" || e.ZeekUID != "CC1" || e.Duration != 1.5 || e.BytesOut != 3000 || e.BytesIn != 4000 ||
		e.Service != "ssh" || e.ConnState != "SF" || e.Message != "conn tcp 10.0.1.10 port 51000 -> 10.0.2.20 port 22 service=ssh conn_state=SF" {
		t.Fatalf("conn: %+v", e)
	}
}

// Rotated, gzip'd names as Zeek's log-archive writes them.
func TestRotatedName(t *testing.T) {
	data, err := os.ReadFile("testdata/rita-ssh.2024-04-19-01.log.gz")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ssh.01:00:00-02:00:00.log.gz")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := importers.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	imp, err := importers.Sniff(src.Head)
	if err != nil || imp.Name() != "zeek" {
		t.Fatalf("sniffed %v %v", imp, err)
	}
	n := 0
	var st importers.Stats
	imp.Import(context.Background(), src, importers.Options{}, &st, func(*schema.Event) error { n++; return nil })
	if n != 822 || st.Malformed != 0 {
		t.Fatalf("%d events, %d malformed", n, st.Malformed)
	}
}

func TestSniff(t *testing.T) {
	cases := []struct {
		head string
		want bool
	}{
		{"#separator \\x09\n#set_separator\t,\n", true},
		{`{"_path":"ssh","_write_ts":"2018-03-24T17:16:40.284346Z","ts":"2018-03-24T17:16:39.739898Z"}`, true},
		{`{"ts":1773457500.0,"id.orig_h":"10.0.1.10"}`, true},
		{`{"ts":"2026-03-14T03:05:00.250000Z","uid":"CNest1","id":{"orig_h":"10.0.1.10"}}`, true},
		{`{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1","_UID":"0","MESSAGE":"Accepted password for root"}`, false},
		{`{"timestamp":"2026-03-14 03:40:12.123456+0000","eventMessage":"Accepted publickey","processID":88}`, false},
		{"Mar 14 03:40:12 web01 sshd[881]: Accepted password for root from 10.0.0.5 port 5555 ssh2\n", false},
		{"#fields\tts\n", false}, // not a Zeek header: Zeek always writes #separator first
	}
	for _, c := range cases {
		if got := (Importer{}).Sniff([]byte(c.head)); got != c.want {
			t.Errorf("Sniff(%.50q) = %v", c.head, got)
		}
	}
}

// Zeek's own ssh baselines (timestamps unmasked): every record converts; the
// outcome counts were taken with awk over the auth_success column, the
// port-22/ssh counts over id.resp_p and service.
func TestZeekBaselines(t *testing.T) {
	cases := []struct {
		file                string
		events              int
		success, failure    int
		keptBySSHConnFilter int
	}{
		{"base.protocols.ssh.basic.ssh.log", 22, 10, 2, 22},
		{"base.protocols.ssh.curve25519_kex.ssh.log", 1, 1, 0, 1},
		{"base.protocols.ssh.half-duplex-client.ssh.log", 20, 0, 0, 20},
		{"base.protocols.ssh.half-duplex-server.ssh.log", 20, 0, 0, 20},
		{"base.protocols.ssh.mlkem_kex.ssh.log", 1, 1, 0, 1},
		{"base.protocols.ssh.pre-banner.ssh.log", 1, 0, 0, 1},
		{"base.protocols.ssh.ssh_version_199.ssh.log", 1, 1, 0, 1},
		{"core.tunnels.gre.ssh.log", 1, 0, 0, 1},
		{"base.protocols.ssh.basic.conn.log", 25, 0, 0, 22},
		{"base.protocols.ssh.half-duplex-client.conn.log", 25, 0, 0, 25},
		{"base.protocols.ssh.half-duplex-server.conn.log", 20, 0, 0, 20},
		{"base.protocols.ssh.http-port-22.conn.log", 1, 0, 0, 1},
		{"base.protocols.ssh.pre-banner.conn.log", 1, 0, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			evs, st := loadUnmasked(t, c.file, importers.Options{})
			ok := count(evs, func(e *schema.Event) bool { return e.Outcome == schema.OutcomeSuccess })
			fail := count(evs, func(e *schema.Event) bool { return e.Outcome == schema.OutcomeFailure })
			if len(evs) != c.events || ok != c.success || fail != c.failure || st.Malformed != 0 {
				t.Fatalf("%d events (%d success, %d failure), %d malformed", len(evs), ok, fail, st.Malformed)
			}
			kept, _ := loadUnmasked(t, c.file, importers.Options{ZeekConn: "ssh"})
			if len(kept) != c.keptBySSHConnFilter {
				t.Fatalf("--zeek-conn ssh kept %d", len(kept))
			}
		})
	}
	// The ssh.log uid joins its conn.log record.
	sshEvs, _ := loadUnmasked(t, "base.protocols.ssh.basic.ssh.log", importers.Options{})
	conn, _ := loadUnmasked(t, "base.protocols.ssh.basic.conn.log", importers.Options{})
	uids := map[string]bool{}
	for _, c := range conn {
		uids[c.ZeekUID] = true
	}
	for _, s := range sshEvs {
		if s.ZeekUID == "" || !uids[s.ZeekUID] || s.KeyFP != "" || !strings.HasPrefix(s.ServerKeyFP, "SHA256:") && s.ServerKeyFP != "" {
			t.Fatalf("ssh record %+v: uid without conn record or odd fingerprint", s)
		}
	}
}

// A gzip file cut in the middle: the records before the cut are kept whole,
// the cut line is counted, the read error is reported.
func TestTruncatedGzip(t *testing.T) {
	data, err := os.ReadFile("testdata/wrccdc-ssh.log.gz")
	if err != nil {
		t.Fatal(err)
	}
	full, _ := load(t, "wrccdc-ssh.log.gz", importers.Options{})
	src, err := importers.FromReader("cut.log.gz", bytes.NewReader(data[:len(data)/2]), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var evs []*schema.Event
	var st importers.Stats
	if err := (Importer{}).Import(context.Background(), src, importers.Options{}, &st, func(e *schema.Event) error { evs = append(evs, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 || len(evs) >= len(full) || len(st.FileErrors) != 1 || st.Malformed > 1 {
		t.Fatalf("%d of %d events, %d malformed, errors %q", len(evs), len(full), st.Malformed, st.FileErrors)
	}
	for i, e := range evs {
		a, b := *e, *full[i]
		a.ID, b.ID, a.File, b.File = "", "", "", ""
		if a != b {
			t.Fatalf("record %d before the cut differs:\n%+v\n%+v", i, a, b)
		}
	}
}

func TestParseTS(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time // zero: an error
	}{
		{"1713488395.433985", time.Unix(1713488395, 433985000)},
		{"1713488395", time.Unix(1713488395, 0)},
		{"1713488395.4339851234", time.Unix(1713488395, 433985123)},
		{"1.713488395433985e9", time.Unix(1713488395, 433985000)},
		{"2018-03-24T17:16:39.739898Z", time.Unix(1521911799, 739898000)},
		{"2018-03-24T18:16:39.739898+01:00", time.Unix(1521911799, 739898000)},
		{"2018-03-24T17:16:39.739898", time.Unix(1521911799, 739898000)},
		{"XXXXXXXXXX.XXXXXX", time.Time{}},
		{"1713488395.+5", time.Time{}},
		{"1e400", time.Time{}},
		{"", time.Time{}},
	}
	for _, c := range cases {
		got, err := parseTS(c.in)
		if c.want.IsZero() != (err != nil) || !got.Equal(c.want) || err == nil && got.Location() != time.UTC {
			t.Errorf("parseTS(%q) = %v, %v", c.in, got, err)
		}
	}
}
