package detect

import (
	"context"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// One logon seen by sshd and by auditd is one logon: auditd's USER_LOGIN
// res=success carries sshd's pid but, when no record named the uid, no
// user (importers/auditd) — it still joins sshd's Accepted line.
func TestLogonSeenTwiceCountsOnce(t *testing.T) {
	at := time.Date(2026, 3, 14, 2, 41, 7, 0, time.UTC)
	evs := []*schema.Event{
		{ID: "a", TS: at, Format: schema.FormatAuthlog, Host: "bastion01", PID: 4242, Program: "sshd", Action: schema.ActionAuthSuccess,
			Outcome: schema.OutcomeSuccess, User: "deploy", SrcIP: "198.51.100.23", SrcPort: 52814, Method: "password",
			Message: "Accepted password for deploy from 198.51.100.23 port 52814 ssh2"},
		{ID: "b", TS: at.Add(40 * time.Millisecond), Format: schema.FormatAuditd, Host: "bastion01", PID: 4242, Program: "sshd",
			Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, UID: "1001", SrcIP: "198.51.100.23",
			Message: "type=USER_LOGIN msg=audit(1773456067.040:912): pid=4242 uid=0 auid=1001 ses=7 msg='op=login id=1001 exe=\"/usr/sbin/sshd\" hostname=? addr=198.51.100.23 terminal=/dev/pts/1 res=success'"},
	}
	s := storeOf(t, evs)
	cc, err := compile(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	d, err := load(context.Background(), s, cc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.logons) != 1 || d.logons[0].user != "deploy" || d.logons[0].method != "password" {
		t.Fatalf("%d logons: %+v", len(d.logons), d.logons)
	}
}

// An auditd logon whose file never named uid 1001 is deploy's when the
// host's auth log named it ("session opened for user deploy(uid=1001)").
func TestUIDNamedByAnotherSource(t *testing.T) {
	at := time.Date(2026, 3, 14, 2, 41, 7, 0, time.UTC)
	evs := []*schema.Event{
		{ID: "a", TS: at, Format: schema.FormatAuditd, Host: "bastion01", PID: 4300, Program: "sshd", Action: schema.ActionAuthSuccess,
			Outcome: schema.OutcomeSuccess, UID: "1001", SrcIP: "198.51.100.23"},
		{ID: "b", TS: at.Add(-time.Hour), Format: schema.FormatAuthlog, Host: "bastion01", PID: 4100, Program: "sshd",
			Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: "deploy", UID: "1001",
			Message: "pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)"},
	}
	s := storeOf(t, evs)
	cc, err := compile(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	d, err := load(context.Background(), s, cc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.logons) != 1 || d.logons[0].user != "deploy" {
		t.Fatalf("logons %+v", d.logons)
	}
}
