package sessions

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// FuzzBuild feeds arbitrary event sequences (each 7 bytes pick an action,
// format, host, pid, user, address, port and time step from small sets, so
// collisions are frequent) and checks the invariants: no panic, every event
// in at most one session (a client process may also be evidence of the
// session it opened), parents exist and never form cycles.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 1, 5, 2, 0, 0, 1, 1, 1, 5, 6, 0, 0, 1, 1, 1, 5, 7, 0, 0, 1, 1, 1, 5})
	f.Add([]byte{2, 0, 1, 2, 0, 2, 3, 9, 5, 1, 0, 0, 3, 1, 10, 4, 2, 3, 3, 1, 0, 11, 5, 0, 0, 2, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		actions := []string{schema.ActionConnection, schema.ActionAuthFailure, schema.ActionAuthSuccess, schema.ActionInvalidUser,
			schema.ActionPAM, schema.ActionSessionOpen, schema.ActionSessionClose, schema.ActionDisconnect, schema.ActionCommand,
			schema.ActionProcess, schema.ActionNetworkSession, schema.ActionOther}
		formats := []string{schema.FormatAuthlog, schema.FormatJournal, schema.FormatAuditd, schema.FormatZeekSSH, schema.FormatZeekConn, schema.FormatUnified}
		hosts := []string{"a", "b", "c", ""}
		users := []string{"", "root", "bob"}
		ips := []string{"", "10.0.0.1", "10.0.0.2", "::ffff:10.0.0.3"}
		programs := []string{"sshd", "sudo", "", "ssh"}
		var evs []*schema.Event
		ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i+7 <= len(data); i += 7 {
			d := data[i : i+7]
			ts = ts.Add(time.Duration(d[6]) * 7 * time.Second)
			ev := &schema.Event{
				ID: schema.EventID("fuzz", int64(i), ""), TS: ts,
				Action: actions[int(d[0])%len(actions)], Format: formats[int(d[1])%len(formats)],
				Host: hosts[int(d[2])%len(hosts)], PID: int(d[3] % 4), User: users[int(d[4])%len(users)],
				SrcIP: ips[int(d[5])%len(ips)], SrcPort: int(d[5] % 3), DstIP: ips[int(d[3])%len(ips)],
				Program: programs[int(d[4]>>2)%len(programs)], Outcome: []string{"success", "failure", "unknown"}[d[6]%3],
				ZeekUID: []string{"", "C1", "C2"}[d[2]%3], Ses: []string{"", "1", "2"}[d[1]%3],
				DstHost: []string{"", "b", "c"}[d[0]%3], TTY: []string{"", "pts/0", "pts/1"}[d[4]%3],
			}
			if d[6]%5 == 0 {
				ev.TS = time.Time{}
			}
			evs = append(evs, ev)
		}
		ss := Build(evs, Options{Assets: map[string][]string{"b": {"10.0.0.2"}}})
		// The rebuild's compact link makes the same sessions.
		if sp := buildSpilled(t, evs, Options{Assets: map[string][]string{"b": {"10.0.0.2"}}}); len(sp) != len(ss) {
			t.Fatalf("spilled link: %d sessions, in-memory link %d", len(sp), len(ss))
		} else {
			for i := range ss {
				a, _ := json.Marshal(ss[i])
				b, _ := json.Marshal(sp[i])
				if string(a) != string(b) {
					t.Fatalf("spilled link differs:\n got %s\nwant %s", b, a)
				}
			}
		}
		seen := map[string]int{}
		process := map[string]bool{}
		for _, ev := range evs {
			process[ev.ID] = ev.Action == schema.ActionProcess
		}
		bySID := map[string]schema.Session{}
		for _, s := range ss {
			if _, dup := bySID[s.SID]; dup {
				t.Fatalf("duplicate sid %s", s.SID)
			}
			bySID[s.SID] = s
			for _, id := range s.Events {
				seen[id]++
				if seen[id] > 1 && !process[id] || seen[id] > 2 {
					t.Fatalf("event %s in %d sessions", id, seen[id])
				}
			}
		}
		for _, s := range ss {
			for p, n := s.Parent, 0; p != ""; n++ {
				ps, ok := bySID[p]
				if !ok {
					t.Fatalf("parent %s of %s missing", p, s.SID)
				}
				if n > len(ss) {
					t.Fatalf("parent cycle through %s", s.SID)
				}
				p = ps.Parent
			}
		}
		for _, p := range Paths(ss, 1) {
			_ = p.String()
		}
	})
}
