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
	"github.com/sshtrail/sshtrail/index"
)

func load(t *testing.T, name string, opts importers.Options) ([]*index.Event, importers.Stats) {
	t.Helper()
	src, err := importers.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var evs []*index.Event
	var st importers.Stats
	if !(Importer{}).Sniff(src.Head) {
		t.Fatalf("%s: not sniffed as zeek", name)
	}
	err = Importer{}.Import(context.Background(), src, opts, &st, func(ev *index.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, st
}

func count(evs []*index.Event, f func(*index.Event) bool) int {
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
				count(evs, func(e *index.Event) bool {
					return e.Format == index.FormatZeekSSH && e.Action == index.ActionNetworkSession
				}),
				count(evs, func(e *index.Event) bool {
					return e.Format == index.FormatZeekConn && e.Action == index.ActionConnection
				}),
				count(evs, func(e *index.Event) bool { return e.Format == index.FormatZeekNotice }),
				count(evs, func(e *index.Event) bool { return e.Format == index.FormatZeekSSH && e.Outcome == index.OutcomeSuccess }),
				count(evs, func(e *index.Event) bool { return e.Format == index.FormatZeekSSH && e.Outcome == index.OutcomeFailure }),
				count(evs, func(e *index.Event) bool { return e.Format == index.FormatZeekSSH && e.Outcome == index.OutcomeUnknown }),
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
	ssh := count(conn, func(e *index.Event) bool { return e.Service == "ssh" })
	if ssh != 815 {
		t.Fatalf("service=ssh records: %d", ssh)
	}
	filtered, st := load(t, "rita-conn.2024-04-19-01.log.gz", importers.Options{ZeekConn: "ssh"})
	if len(filtered)+st.Skipped != 2102 || len(filtered) < 815 {
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
	for i := range tsv {
		a, b := *tsv[i], *js[i]
		if !a.TS.Equal(b.TS) {
			t.Fatalf("record %d ts %v vs %v", i, a.TS, b.TS)
		}
		a.ID, b.ID, a.TSRaw, b.TSRaw, a.File, b.File, a.Line, b.Line, a.Message, b.Message, a.TS, b.TS = "", "", "", "", "", "", 0, 0, "", "", time.Time{}, time.Time{}
		if a != b {
			t.Fatalf("record %d differs:\n tsv %+v\njson %+v", i, a, b)
		}
	}
	first := js[0]
	if first.ZeekUID != "C2MugGdsn3ZVI1wn6" || first.Outcome != index.OutcomeSuccess || first.Client != "SSH-2.0-OpenSSH_7.6" ||
		first.Server != "SSH-2.0-OpenSSH_7.4p1 Raspbian-10+deb9u3" || first.KeyFP != "2d:37:6b:11:43:f8:96:08:fe:60:42:20:98:9f:75:af" ||
		first.KeyType != "ecdsa-sha2-nistp256" || first.DstPort != 22 {
		t.Fatalf("first wrccdc record: %+v", first)
	}
}

// Zeek 8.1 baselines name the column host_key_fingerprint; their masked
// timestamps are replaced by a real one here so the row converts.
func TestZeek81HostKeyFingerprint(t *testing.T) {
	data, err := os.ReadFile("testdata/base.protocols.ssh.curve25519_kex.ssh.log")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("XXXXXXXXXX.XXXXXX"), []byte("1773453720.000001"))
	src, _ := importers.FromReader("curve25519_kex.ssh.log", bytes.NewReader(data), time.Time{})
	var evs []*index.Event
	var st importers.Stats
	Importer{}.Import(context.Background(), src, importers.Options{Host: "sensor1"}, &st, func(e *index.Event) error { evs = append(evs, e); return nil })
	if len(evs) == 0 || st.Malformed != 0 {
		t.Fatalf("%d events, %d malformed", len(evs), st.Malformed)
	}
	if !strings.HasPrefix(evs[0].KeyFP, "SHA256:") || evs[0].Host != "sensor1" {
		t.Fatalf("host key fingerprint / host: %+v", evs[0])
	}
}

func TestHandmade(t *testing.T) {
	evs, st := load(t, "handmade-hassh-concat.ssh.log", importers.Options{})
	if len(evs) != 2 || st.Malformed != 0 {
		t.Fatalf("two header blocks: %d events, %d malformed %v", len(evs), st.Malformed, st.Samples)
	}
	a, b := evs[0], evs[1]
	if a.HASSH != "b5752e36ba6c5979a575e43178908adf" || a.HASSHServer != "5a0cb7e5e5d7e4ff0bd0b2e1f3d67d26" || a.Outcome != index.OutcomeSuccess ||
		a.KeyFP != "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8" || a.Host != "" {
		t.Fatalf("hassh record: %+v", a)
	}
	if b.Host != "zeek-core01" || b.Client != "" || b.Server != "SSH-2.0-OpenSSH_8.7" || b.Outcome != index.OutcomeUnknown || b.SrcIP != "10.0.1.10" {
		t.Fatalf("second block record: %+v", b)
	}
	evs, st = load(t, "handmade-nofields.conn.log", importers.Options{})
	if len(evs) != 0 || st.Malformed != 1 {
		t.Fatalf("no #fields: %d events %d malformed", len(evs), st.Malformed)
	}
	evs, st = load(t, "handmade-nested.json", importers.Options{})
	if len(evs) != 2 || st.Malformed != 1 {
		t.Fatalf("nested json: %d events %d malformed", len(evs), st.Malformed)
	}
	if evs[0].Format != index.FormatZeekSSH || evs[0].SrcIP != "10.0.1.10" || evs[0].DstIP != "10.0.2.20" || evs[0].Outcome != index.OutcomeSuccess {
		t.Fatalf("nested id: %+v", evs[0])
	}
	if evs[1].Format != index.FormatZeekConn || evs[1].BytesOut != 104857600 || evs[1].Duration != 3600.5 || evs[1].Service != "" {
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
	for _, name := range []string{"handmade-hassh-concat.ssh.log", "lnav-bro-conn.log", "base.protocols.ssh.basic.ssh.log"} {
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
		Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(e *index.Event) error {
			if e.ID == "" || e.Format == "" {
				t.Fatalf("event without id/format: %+v", e)
			}
			return nil
		})
	})
}

func FuzzJSONRecord(f *testing.F) {
	data, _ := os.ReadFile("testdata/handmade-nested.json")
	for _, l := range bytes.Split(data, []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"_path":"notice","ts":1e400,"note":"SSH::Password_Guessing","id":{"orig_h":{"x":1}}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		src, err := importers.FromReader("fuzz.json", bytes.NewReader(line), time.Time{})
		if err != nil {
			return
		}
		var st importers.Stats
		Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(*index.Event) error { return nil })
	})
}
