package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// A real line from fail2ban's sshd corpus (an injection attempt in the user
// name), as the authlog importer turns it into an event.
func sampleEvent() *schema.Event {
	return &schema.Event{
		ID: "0a1b2c", TS: time.Date(2026, 3, 14, 2, 47, 1, 123000000, time.UTC), TSRaw: "Mar 14 02:47:01",
		Format: "authlog", File: "/case/bastion01/auth.log", Line: 42, Host: "bastion01", Program: "sshd", PID: 4242,
		Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "deploy", UID: "1001",
		SrcIP: "198.51.100.23", SrcPort: 40024, DstIP: "10.0.1.10", DstPort: 22, Method: "password",
		Message: "Accepted password for deploy from 198.51.100.23 port 40024 ssh2",
	}
}

func TestECSFields(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New(ECS, &buf)
	if err := w.Event(sampleEvent()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var d map[string]any
	if err := json.Unmarshal(buf.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var cur any = d
		for _, p := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[p]
		}
		return cur
	}
	want := map[string]any{
		"event.category":   "authentication",
		"event.action":     "auth_success",
		"event.outcome":    "success",
		"source.ip":        "198.51.100.23",
		"source.port":      float64(40024),
		"destination.ip":   "10.0.1.10",
		"destination.port": float64(22),
		"user.name":        "deploy",
		"host.name":        "bastion01",
		"process.pid":      float64(4242),
		"log.file.path":    "/case/bastion01/auth.log",
		"message":          "Accepted password for deploy from 198.51.100.23 port 40024 ssh2",
		"sshtrail.method":  "password",
	}
	for k, v := range want {
		if got := get(k); got != v {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	if d["@timestamp"] != "2026-03-14T02:47:01.123Z" {
		t.Errorf("@timestamp %v", d["@timestamp"])
	}
	if ips, _ := get("related.ip").([]any); len(ips) != 2 || ips[0] != "198.51.100.23" {
		t.Errorf("related.ip %v", ips)
	}
	if users, _ := get("related.user").([]any); len(users) != 1 || users[0] != "deploy" {
		t.Errorf("related.user %v", users)
	}
	for _, a := range []struct{ action, cat string }{
		{schema.ActionInvalidUser, "authentication"}, {schema.ActionSessionOpen, "session"},
		{schema.ActionConnection, "network"}, {schema.ActionNetworkSession, "network"}, {schema.ActionDisconnect, "session"},
	} {
		if Category(a.action) != a.cat {
			t.Errorf("category(%s) = %s", a.action, Category(a.action))
		}
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New(CSV, &buf)
	for _, user := range []string{"=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "alice", "\tcmd"} {
		ev := sampleEvent()
		ev.User = user
		ev.Message = "Invalid user " + user + " from 198.51.100.23 port 1"
		if err := w.Event(ev); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || rows[0][4] != "user" {
		t.Fatalf("header/rows: %v", rows[0])
	}
	want := []string{`'=HYPERLINK("http://evil","x")`, "'+1+1", "'-2+3", "'@SUM(A1)", "alice", `'\x09cmd`}
	for i, w := range want {
		if rows[i+1][4] != w {
			t.Errorf("row %d user %q want %q", i+1, rows[i+1][4], w)
		}
	}
}

func TestTimesketchRequired(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New(Timesketch, &buf)
	w.Event(sampleEvent())
	w.Session(&schema.Session{SID: "s1", Host: "db02", User: "postgres", SrcIP: "10.0.1.10", Start: time.Date(2026, 3, 14, 3, 5, 0, 0, time.UTC)})
	w.Row(Record{Time: time.Date(2026, 3, 14, 3, 6, 0, 0, time.UTC), Message: "brute force", Fields: []Field{{"rule", "SSH_Brute_Force"}}})
	w.Close()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"message", "datetime", "timestamp_desc", "timestamp"} {
			if d[k] == nil || d[k] == "" {
				t.Errorf("missing %s in %s", k, l)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, d["datetime"].(string)); err != nil {
			t.Errorf("datetime: %v", err)
		}
	}
}

func TestJSONEscapesControls(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New(JSONL, &buf)
	ev := sampleEvent()
	ev.User = "\x1b]0;pwned\x07\x1b[2J"
	w.Event(ev)
	w.Close()
	if bytes.ContainsAny(buf.Bytes(), "\x1b\x07") {
		t.Fatalf("raw control bytes in JSON output: %q", buf.String())
	}
	var back schema.Event
	json.Unmarshal(buf.Bytes(), &back)
	if back.User != ev.User {
		t.Fatalf("round trip %q", back.User)
	}
}

// BenchmarkExportECS streams events through the ECS writer; heap-inuse/op
// stays flat however many events pass (the writer keeps nothing).
func BenchmarkExportECS(b *testing.B) {
	ev := sampleEvent()
	w, _ := New(ECS, io.Discard)
	var ms runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.Event(ev)
	}
	w.Close()
	b.StopTimer()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}
