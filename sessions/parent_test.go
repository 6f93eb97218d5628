package sessions

import (
	"testing"

	"github.com/sshtrail/sshtrail/schema"
)

// Two logons are open on bastion01 when a hop leaves it as alice: the hop
// is alice's, although bob logged on after her; a scanner's connection to
// db02 from bastion01's address (it never authenticated) is no hop at all;
// and bob's own later hop, after alice left, is bob's. The events are what
// the auth-log importer makes of Debian OpenSSH 9 lines.
func TestHopParentPrefersSameUser(t *testing.T) {
	b := &evb{}
	logon := func(at, end, host string, pid int, user, src string, port int) {
		b.at(at, schema.Event{Host: host, PID: pid, Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: user, SrcIP: src, SrcPort: port, Method: "publickey"})
		b.at(at, schema.Event{Host: host, PID: pid, Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: user})
		b.at(end, schema.Event{Host: host, PID: pid, Action: schema.ActionSessionClose, Outcome: schema.OutcomeSuccess, User: user})
	}
	logon("0:00", "30:00", "bastion01", 100, "alice", "198.51.100.23", 40001)
	logon("2:00", "40:00", "bastion01", 110, "bob", "198.51.100.24", 40002)
	logon("5:00", "9:00", "db02", 200, "alice", "10.0.1.10", 51000)
	// A failed connection from bastion01's address to db02.
	b.at("6:00", schema.Event{Host: "db02", PID: 210, Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "root", SrcIP: "10.0.1.10", SrcPort: 51002, Method: "password"})
	b.at("6:01", schema.Event{Host: "db02", PID: 210, Action: schema.ActionDisconnect, Outcome: schema.OutcomeFailure, User: "root", SrcIP: "10.0.1.10", SrcPort: 51002})
	logon("35:00", "36:00", "db02", 220, "bob", "10.0.1.10", 51010)
	ss := Build(b.out, Options{Assets: map[string][]string{"bastion01": {"10.0.1.10"}}})
	sid := map[string]string{}
	for _, s := range ss {
		if s.Host == "bastion01" {
			sid[s.User] = s.SID
		}
	}
	var hops int
	for _, s := range ss {
		switch {
		case s.Host == "db02" && s.User == "alice":
			hops++
			if s.Parent != sid["alice"] {
				t.Errorf("alice's hop: parent %q, want alice's %q (bob's is %q)", s.Parent, sid["alice"], sid["bob"])
			}
		case s.Host == "db02" && s.User == "bob":
			hops++
			if s.Parent != sid["bob"] {
				t.Errorf("bob's hop: parent %q, want bob's %q", s.Parent, sid["bob"])
			}
		case s.Host == "db02" && s.User == "root":
			if s.Outcome == schema.OutcomeSuccess || s.Parent != "" {
				t.Errorf("the failed connection is a hop: %+v", s)
			}
		}
	}
	if hops != 2 {
		t.Fatalf("%d hops into db02: %+v", hops, ss)
	}
	if paths := Paths(ss, 1); len(paths) != 2 {
		t.Errorf("paths %v, want alice's and bob's", paths)
	}
}
