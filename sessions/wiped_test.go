package sessions

import (
	"strings"
	"testing"

	"github.com/sshtrail/sshtrail/schema"
)

// A host log that holds only the end of a logon (its start was wiped) and
// Zeek's record of the whole connection, same 4-tuple, the host lines
// inside Zeek's window: one session, its start from Zeek, its user from
// the host, and a note that the host-side start is missing. The events
// are what the importers make of Debian OpenSSH 9 lines and a Zeek
// ssh.log record.
func TestWipedStartJoinsZeek(t *testing.T) {
	b := &evb{}
	b.at("0:00", schema.Event{Format: schema.FormatZeekSSH, Action: schema.ActionNetworkSession, Outcome: schema.OutcomeSuccess,
		SrcIP: "198.51.100.23", SrcPort: 52814, DstIP: "10.0.1.10", DstPort: 22, Duration: 1200, ZeekUID: "CwipedStart01",
		Client: "SSH-2.0-OpenSSH_9.6", Server: "SSH-2.0-OpenSSH_9.2p1 Debian-2", Host: "zeek-dmz01"})
	// Twenty minutes later, all the bastion's own log still holds.
	b.at("20:00", schema.Event{Host: "bastion01", PID: 7122, Action: schema.ActionDisconnect, Outcome: schema.OutcomeUnknown,
		SrcIP: "198.51.100.23", SrcPort: 52814, Reason: "11: disconnected by user", Message: "Received disconnect from 198.51.100.23 port 52814:11: disconnected by user"})
	b.at("20:00", schema.Event{Host: "bastion01", PID: 7122, Action: schema.ActionDisconnect, Outcome: schema.OutcomeSuccess,
		User: "deploy", SrcIP: "198.51.100.23", SrcPort: 52814, Message: "Disconnected from user deploy 198.51.100.23 port 52814"})
	b.at("20:00", schema.Event{Host: "bastion01", PID: 7110, Action: schema.ActionSessionClose, Outcome: schema.OutcomeSuccess,
		User: "deploy", Message: "pam_unix(sshd:session): session closed for user deploy"})
	ss := Build(b.out, Options{Assets: map[string][]string{"bastion01": {"10.0.1.10"}}})
	var got []schema.Session
	for _, s := range ss {
		if s.SrcPort == 52814 {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d sessions for the connection: %+v", len(got), ss)
	}
	s := got[0]
	if s.Host != "bastion01" || s.User != "deploy" || !s.Start.Equal(t0) || s.Duration != 1200 ||
		len(s.Sources) < 2 || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "lacks this logon's start") {
		t.Fatalf("session %+v", s)
	}
}
