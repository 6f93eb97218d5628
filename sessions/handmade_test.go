package sessions

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Hand-made events (not from a real log): the shapes importers emit, in
// scenarios whose sessions, joins and hops are known.

var t0 = time.Date(2026, 3, 14, 2, 40, 0, 0, time.UTC)

type evb struct {
	n   int
	out []*schema.Event
}

// at adds an event min:sec after t0.
func (b *evb) at(ms string, e schema.Event) *schema.Event {
	var m, s int
	fmt.Sscanf(ms, "%d:%d", &m, &s)
	b.n++
	e.TS = t0.Add(time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
	e.ID = schema.EventID("handmade", int64(b.n), e.Message)
	if e.Format == "" {
		e.Format = schema.FormatAuthlog
	}
	if e.Outcome == "" {
		e.Outcome = schema.OutcomeUnknown
	}
	b.out = append(b.out, &e)
	return &e
}

func byHost(ss []schema.Session, host string) []schema.Session {
	var out []schema.Session
	for _, s := range ss {
		if s.Host == host {
			out = append(out, s)
		}
	}
	return out
}

func TestPidReuseAndPrivsep(t *testing.T) {
	b := &evb{}
	h := "web01"
	// pid 100: two failures then success, sudo, privsep child disconnect, close.
	b.at("0:00", schema.Event{Host: h, PID: 100, Action: schema.ActionConnection, SrcIP: "203.0.113.7", SrcPort: 5000, DstIP: "10.0.0.80", DstPort: 22})
	b.at("0:01", schema.Event{Host: h, PID: 100, Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "bob", SrcIP: "203.0.113.7", SrcPort: 5000, Method: "password"})
	b.at("0:02", schema.Event{Host: h, PID: 100, Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "bob", SrcIP: "203.0.113.7", SrcPort: 5000, Method: "password"})
	b.at("0:03", schema.Event{Host: h, PID: 100, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "bob", SrcIP: "203.0.113.7", SrcPort: 5000, Method: "password"})
	b.at("0:03", schema.Event{Host: h, PID: 100, Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: "bob"})
	b.at("0:30", schema.Event{Host: h, Program: "sudo", Action: schema.ActionCommand, Outcome: schema.OutcomeSuccess, User: "bob", TTY: "pts/0", Command: "/bin/cat /etc/shadow"})
	b.at("1:00", schema.Event{Host: h, PID: 115, Action: schema.ActionDisconnect, Outcome: schema.OutcomeSuccess, SrcIP: "203.0.113.7", SrcPort: 5000})
	b.at("1:00", schema.Event{Host: h, PID: 100, Action: schema.ActionSessionClose, Outcome: schema.OutcomeSuccess, User: "bob"})
	// pid 100 reused two hours later by a scanner: a new session.
	b.at("120:00", schema.Event{Host: h, PID: 100, Action: schema.ActionInvalidUser, Outcome: schema.OutcomeFailure, User: "admin", SrcIP: "198.51.100.9", SrcPort: 6000})
	b.at("120:01", schema.Event{Host: h, PID: 100, Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "admin", SrcIP: "198.51.100.9", SrcPort: 6000})
	b.at("120:02", schema.Event{Host: h, PID: 100, Action: schema.ActionDisconnect, Outcome: schema.OutcomeFailure, SrcIP: "198.51.100.9", SrcPort: 6000})
	// pid 100 reused at once (no gap) by a different client: split on address.
	b.at("120:05", schema.Event{Host: h, PID: 100, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "carol", SrcIP: "192.0.2.10", SrcPort: 7000, Method: "publickey", KeyFP: "SHA256:abc"})
	// ...and still open at the end of the log.
	b.at("121:00", schema.Event{Host: h, Program: "sudo", Action: schema.ActionCommand, Outcome: schema.OutcomeSuccess, User: "carol", Command: "/usr/bin/id"})

	ss := Build(b.out, Options{})
	if len(ss) != 3 {
		t.Fatalf("sessions = %d, want 3: %+v", len(ss), ss)
	}
	s := ss[0]
	if s.User != "bob" || s.Outcome != "success" || s.Failures != 2 || s.Method != "password" ||
		s.SrcIP != "203.0.113.7" || s.SrcPort != 5000 || s.DstIP != "10.0.0.80" || len(s.Events) != 8 ||
		!s.End.Equal(t0.Add(time.Minute)) || s.Duration != 60 || !slices.Equal(s.Commands, []string{"/bin/cat /etc/shadow"}) {
		t.Errorf("bob session = %+v", s)
	}
	s = ss[1]
	if s.User != "admin" || s.Outcome != "failure" || s.Failures != 1 || len(s.Events) != 3 || s.End.IsZero() {
		t.Errorf("scanner session = %+v", s)
	}
	s = ss[2]
	if s.User != "carol" || s.Outcome != "success" || !s.End.IsZero() || s.KeyFP != "SHA256:abc" ||
		!slices.Equal(s.Commands, []string{"/usr/bin/id"}) || s.Failures != 0 {
		t.Errorf("open session = %+v", s)
	}
	for i := range ss {
		for j := range i {
			if ss[i].SID == ss[j].SID {
				t.Errorf("duplicate sid %s", ss[i].SID)
			}
		}
	}
}

// scenario: 198.51.100.23 -> bastion01 (deploy) -> db02 (postgres) -> build07 (root),
// with Zeek seeing bastion01 -> db02 (2 s skew) and a Zeek-only record to an
// unknown host, a host log session Zeek did not see, and auditd seeing the ssh
// client on db02.
func scenario() []*schema.Event {
	b := &evb{}
	// bastion01: auth log.
	b.at("5:00", schema.Event{Host: "bastion01", PID: 200, Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "deploy", SrcIP: "198.51.100.23", SrcPort: 40022, Method: "password"})
	b.at("7:10", schema.Event{Host: "bastion01", PID: 200, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "deploy", SrcIP: "198.51.100.23", SrcPort: 40022, Method: "password"})
	b.at("7:10", schema.Event{Host: "bastion01", PID: 200, Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: "deploy"})
	// db02: auth log, from bastion01 (10.0.1.10); the host clock is 2 s ahead of Zeek.
	b.at("25:02", schema.Event{Host: "db02", PID: 300, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "postgres", SrcIP: "10.0.1.10", SrcPort: 51000, Method: "publickey", KeyFP: "SHA256:k1"})
	b.at("25:02", schema.Event{Host: "db02", PID: 300, Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: "postgres"})
	// db02 auditd: same login (ses 7), then ssh root@build07.
	b.at("25:02", schema.Event{Host: "db02", Format: schema.FormatAuditd, PID: 300, Ses: "7", Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: "postgres", SrcIP: "10.0.1.10", SrcPort: 51000})
	b.at("51:00", schema.Event{Host: "db02", Format: schema.FormatAuditd, PID: 4000, Ses: "7", Action: schema.ActionProcess, Outcome: schema.OutcomeSuccess, User: "postgres", Command: "ssh root@build07", DstHost: "root@build07"})
	// build07: auth log, from an address nobody stated.
	b.at("51:03", schema.Event{Host: "build07", PID: 500, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "root", SrcIP: "10.0.2.20", SrcPort: 33000, Method: "publickey"})
	// Zeek (sensor "zeek1"): bastion01 -> db02 at 25:00 (host log says 25:02).
	b.at("25:00", schema.Event{Host: "zeek1", Format: schema.FormatZeekSSH, Action: schema.ActionNetworkSession, Outcome: schema.OutcomeSuccess, ZeekUID: "C1", SrcIP: "10.0.1.10", SrcPort: 51000, DstIP: "10.0.2.20", DstPort: 22})
	// A Zeek-only record into an address no host log covers, from db02.
	b.at("40:00", schema.Event{Host: "zeek1", Format: schema.FormatZeekSSH, Action: schema.ActionNetworkSession, Outcome: schema.OutcomeUnknown, ZeekUID: "C2", SrcIP: "10.0.2.20", SrcPort: 52000, DstIP: "10.0.9.9", DstPort: 22})
	// conn.log records arrive after ssh.log (another file).
	b.at("25:00", schema.Event{Host: "zeek1", Format: schema.FormatZeekConn, Action: schema.ActionConnection, ZeekUID: "C1", SrcIP: "10.0.1.10", SrcPort: 51000, DstIP: "10.0.2.20", DstPort: 22, Service: "ssh", Duration: 1800, BytesOut: 5000, BytesIn: 9000})
	b.at("40:00", schema.Event{Host: "zeek1", Format: schema.FormatZeekConn, Action: schema.ActionConnection, ZeekUID: "C2", SrcIP: "10.0.2.20", SrcPort: 52000, DstIP: "10.0.9.9", DstPort: 22, Service: "ssh", Duration: 5})
	b.at("41:00", schema.Event{Host: "zeek1", Format: schema.FormatZeekConn, Action: schema.ActionConnection, ZeekUID: "C3", SrcIP: "10.0.2.20", SrcPort: 52001, DstIP: "10.0.9.9", DstPort: 443, Service: "ssl"})
	return b.out
}

func TestScenarioJoinsHopsPaths(t *testing.T) {
	ss := Build(scenario(), Options{Assets: map[string][]string{"bastion01": {"10.0.1.10"}}})
	if len(ss) != 4 {
		t.Fatalf("sessions = %d, want 4: %+v", len(ss), ss)
	}
	bast, db, build := byHost(ss, "bastion01"), byHost(ss, "db02"), byHost(ss, "build07")
	net := byHost(ss, "")
	if len(bast) != 1 || len(db) != 1 || len(build) != 1 || len(net) != 1 {
		t.Fatalf("per host: %d %d %d %d", len(bast), len(db), len(build), len(net))
	}
	d := db[0]
	if !slices.Equal(d.Sources, []string{"authlog", "auditd", "zeek_ssh", "zeek_conn"}) {
		t.Errorf("db02 sources = %v", d.Sources)
	}
	if d.DstIP != "10.0.2.20" || d.Parent != bast[0].SID || d.User != "postgres" || !d.End.Equal(t0.Add(55*time.Minute)) {
		t.Errorf("db02 session = %+v", d)
	}
	if !slices.Equal(d.Commands, []string{"ssh root@build07"}) {
		t.Errorf("db02 commands = %v", d.Commands)
	}
	if build[0].Parent != d.SID || !slices.Contains(build[0].Sources, "auditd") {
		t.Errorf("build07 = %+v", build[0])
	}
	// The Zeek-only session is visible, hops from db02 (learned: 10.0.2.20).
	n := net[0]
	if n.DstIP != "10.0.9.9" || n.Duration != 5 || n.Parent != d.SID || !slices.Equal(n.Sources, []string{"zeek_ssh", "zeek_conn"}) {
		t.Errorf("zeek-only = %+v", n)
	}
	if bast[0].Failures != 1 || !bast[0].End.IsZero() || bast[0].Parent != "" {
		t.Errorf("bastion01 = %+v", bast[0])
	}
	paths := Paths(ss, 1)
	want := []string{
		"198.51.100.23 → bastion01 (deploy, 02:45) → db02 (postgres, 03:05) → 10.0.9.9 (03:20)",
		"198.51.100.23 → bastion01 (deploy, 02:45) → db02 (postgres, 03:05) → build07 (root, 03:31)",
	}
	var got []string
	for _, p := range paths {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("paths:\n%q\nwant\n%q", got, want)
	}
	if len(Paths(ss, 2)) != 2 || len(Paths(ss, 3)) != 0 {
		t.Errorf("minHops filter wrong")
	}
}

func TestSkewBeyondLimitDoesNotJoin(t *testing.T) {
	evs := scenario()
	// With no skew allowed... a 1 s limit still refuses the 2 s difference.
	ss := Build(evs, Options{Skew: time.Second, Assets: map[string][]string{"bastion01": {"10.0.1.10"}}})
	db := byHost(ss, "db02")
	if len(db) != 1 || slices.Contains(db[0].Sources, "zeek_ssh") {
		t.Fatalf("db02 joined across 2 s with a 1 s skew: %+v", db)
	}
	// Both halves stay visible.
	var zeekOnly int
	for _, s := range ss {
		if slices.Equal(s.Sources, []string{"zeek_ssh", "zeek_conn"}) {
			zeekOnly++
		}
	}
	if zeekOnly != 2 {
		t.Errorf("zeek-only sessions = %d, want 2", zeekOnly)
	}
}

func TestPathStringEscapes(t *testing.T) {
	p := Path{Origin: "1.2.3.4", Sessions: []schema.Session{{Host: "h\x1b[2J", User: "u\u009b", Start: t0}}}
	if got := p.String(); got != `1.2.3.4 → h\x1b[2J (u\x9b, 02:40)` {
		t.Errorf("String = %q", got)
	}
}

// The same login in the auth log and in journald (both shipped): one session.
func TestSameLoginTwoHostSources(t *testing.T) {
	b := &evb{}
	for _, f := range []string{schema.FormatAuthlog, schema.FormatJournal} {
		b.at("0:00", schema.Event{Format: f, Host: "web01", PID: 77, Program: "sshd", Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "eve", SrcIP: "192.0.2.1", SrcPort: 4000})
		b.at("0:01", schema.Event{Format: f, Host: "web01", PID: 77, Program: "sshd", Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "eve", SrcIP: "192.0.2.1", SrcPort: 4000, Method: "password"})
		b.at("0:09", schema.Event{Format: f, Host: "web01", PID: 0, Program: "sudo", Action: schema.ActionCommand, Outcome: schema.OutcomeSuccess, User: "eve", TTY: "pts/3", Command: "/bin/sh"})
	}
	ss := Build(b.out, Options{})
	if len(ss) != 1 {
		t.Fatalf("sessions = %d, want 1: %+v", len(ss), ss)
	}
	s := ss[0]
	if !slices.Equal(s.Sources, []string{"authlog", "journal"}) || s.Failures != 1 || len(s.Events) != 6 ||
		!slices.Equal(s.Commands, []string{"/bin/sh"}) || !s.End.IsZero() {
		t.Errorf("merged = %+v", s)
	}
}
