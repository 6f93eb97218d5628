package detect

import (
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

func zeekSSH(at time.Duration, uid, src, dst string, ok bool, client string) *schema.Event {
	out := schema.OutcomeFailure
	if ok {
		out = schema.OutcomeSuccess
	}
	return handmade(at, schema.Event{Format: schema.FormatZeekSSH, Host: "sensor1", Action: schema.ActionNetworkSession,
		Outcome: out, SrcIP: src, SrcPort: 50000, DstIP: dst, DstPort: 22, Client: client, ZeekUID: uid, Message: "ssh " + uid})
}

func zeekConn(at time.Duration, uid, src, dst string, port int, dur float64, bytes int64) *schema.Event {
	return handmade(at, schema.Event{Format: schema.FormatZeekConn, Host: "sensor1", Action: schema.ActionConnection,
		Outcome: schema.OutcomeUnknown, SrcIP: src, SrcPort: 50001, DstIP: dst, DstPort: port, Duration: dur,
		BytesOut: bytes / 2, BytesIn: bytes - bytes/2, ZeekUID: uid, Message: "conn " + uid})
}

func TestProxyForwarding(t *testing.T) {
	// Real sshd line (wazuh-sshd-tests.log:6) about a refused direct-tcpip channel.
	var real []*schema.Event
	for _, ev := range readLog(t, "wazuh-sshd-tests.log", 2014) {
		if strings.Contains(ev.Message, "direct-tcpip") {
			real = append(real, ev)
		}
	}
	if len(real) != 1 {
		t.Fatalf("want the direct-tcpip line, got %d", len(real))
	}
	handmadeEvs := []*schema.Event{
		// auditd: ssh started with -L to an RDP host.
		handmade(0, schema.Event{Format: schema.FormatAuditd, Host: "jump01", Action: schema.ActionProcess, User: "mallory",
			Command: "ssh -L 3389:10.0.5.20:3389 mallory@jump01", Forward: "L:3389:10.0.5.20:3389", Message: "EXECVE ssh"}),
		// Zeek: an SSH session into 10.0.0.7 for an hour, and during it 10.0.0.7 talks RDP and SMB.
		zeekSSH(time.Hour, "C1", "198.51.100.9", "10.0.0.7", true, "SSH-2.0-OpenSSH_9.6"),
		zeekConn(time.Hour, "C1", "198.51.100.9", "10.0.0.7", 22, 3600, 50<<20),
		zeekConn(time.Hour+10*time.Minute, "C2", "10.0.0.7", "10.0.5.20", 3389, 600, 1<<20),
		zeekConn(time.Hour+11*time.Minute, "C3", "10.0.0.7", "10.0.5.20", 445, 5, 4096),
		// After the session ended: not a pivot.
		zeekConn(3*time.Hour, "C4", "10.0.0.7", "10.0.5.21", 3389, 5, 4096),
		// A two-hour SSH connection that moved 2 GiB.
		zeekConn(5*time.Hour, "C5", "10.0.0.8", "203.0.113.4", 22, 7200, 2<<30),
	}
	s := storeOf(t, real, handmadeEvs)
	fs := run(t, s, DefaultConfig(), "Unix_Proxy_Forwarding")
	if len(fs) != 4 {
		for _, f := range fs {
			t.Log(f.Summary)
		}
		t.Fatalf("want 4 findings, got %d", len(fs))
	}
	byStart := map[string]Finding{}
	for _, f := range fs {
		byStart[f.Summary[:12]] = f
	}
	if f := byStart["sshd logged "]; f.Host != "someserver" || f.Events[0] != real[0].ID {
		t.Fatalf("sshd message: %+v", f)
	}
	if f := byStart["ssh was star"]; f.User != "mallory" || !strings.Contains(f.Summary, "L:3389:10.0.5.20:3389") {
		t.Fatalf("auditd: %+v", f)
	}
	if f := byStart["While 10.0.0"]; f.DstIP != "10.0.5.20" || f.SrcIP != "198.51.100.9" || len(f.Events) != 3 ||
		!strings.Contains(f.Summary, "connected 2 time(s)") {
		t.Fatalf("pivot: %+v", f)
	}
	if f := byStart["SSH connecti"]; f.DstIP != "203.0.113.4" || !strings.Contains(f.Summary, "2.0 GiB") {
		t.Fatalf("long: %+v", f)
	}
	// Negative: short interactive SSH and Windows traffic with no SSH session open.
	quiet := storeOf(t, []*schema.Event{
		zeekConn(0, "Q1", "10.0.0.5", "10.0.0.7", 22, 300, 40000),
		zeekConn(time.Hour, "Q2", "10.0.0.7", "10.0.5.20", 3389, 60, 4096),
	})
	if fs := run(t, quiet, DefaultConfig(), "Unix_Proxy_Forwarding"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}

func TestZeekPasswordGuessing(t *testing.T) {
	// Real notice (zeek policy.protocols.ssh.detect-bruteforcing/notice.log; ts masked upstream).
	msg := "192.168.56.1 appears to be guessing SSH passwords (seen in 10 connections)."
	real := handmade(0, schema.Event{Format: schema.FormatZeekNotice, Host: "sensor1", Action: schema.ActionNotice,
		Outcome: schema.OutcomeUnknown, Notice: "SSH::Password_Guessing", Message: msg})
	other := handmade(time.Minute, schema.Event{Format: schema.FormatZeekNotice, Host: "sensor1", Action: schema.ActionNotice,
		Outcome: schema.OutcomeUnknown, Notice: "SSL::Invalid_Server_Cert", SrcIP: "10.0.0.1", Message: "SSL certificate validation failed"})
	s := storeOf(t, []*schema.Event{real, other})
	f := only1(t, run(t, s, DefaultConfig(), "Zeek_SSH_Password_Guessing"))
	if f.SrcIP != "192.168.56.1" || f.Events[0] != real.ID {
		t.Fatalf("got %+v", f)
	}
	s2 := storeOf(t, []*schema.Event{other})
	if fs := run(t, s2, DefaultConfig(), "Zeek_SSH_Password_Guessing"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}

func connFrom(at time.Duration, host, src, dst string, pid int) *schema.Event {
	return handmade(at, schema.Event{Host: host, Action: schema.ActionConnection, Outcome: schema.OutcomeUnknown, SrcIP: src,
		DstIP: dst, DstPort: 22, PID: pid, Message: "Connection from " + src + " port 50000 on " + dst + " port 22"})
}

func TestSourceGap(t *testing.T) {
	evs := []*schema.Event{
		connFrom(0, "web01", "10.0.0.5", "10.0.0.20", 100),
		logon(time.Second, "web01", "alice", "10.0.0.5", "publickey", "SHA256:a"),
		zeekSSH(30*time.Second, "Z1", "10.0.0.5", "10.0.0.20", true, "SSH-2.0-OpenSSH_9.6"),
		// Zeek saw a logon from 198.51.100.66 to web01 that web01's log lacks.
		zeekSSH(time.Hour, "Z2", "198.51.100.66", "10.0.0.20", true, "SSH-2.0-Go"),
		// A failed Zeek logon and a logon to a host without its own logs: not gaps.
		zeekSSH(2*time.Hour, "Z3", "198.51.100.66", "10.0.0.20", false, "SSH-2.0-Go"),
		zeekSSH(2*time.Hour, "Z4", "198.51.100.66", "10.0.0.99", true, "SSH-2.0-Go"),
		logon(3*time.Hour, "web01", "alice", "10.0.0.5", "publickey", "SHA256:a"),
	}
	s := storeOf(t, evs)
	f := only1(t, run(t, s, DefaultConfig(), "SSH_Source_Gap"))
	if f.Host != "web01" || f.SrcIP != "198.51.100.66" || f.DstIP != "10.0.0.20" || f.Events[0] != evs[3].ID ||
		!strings.Contains(f.Summary, "hold no such logon") {
		t.Fatalf("got %+v", f)
	}
	// Negative: the first Zeek logon matched the host's own line, and its
	// client enriched that logon.
	s2 := storeOf(t, evs[:3])
	if fs := run(t, s2, DefaultConfig(), "SSH_Source_Gap"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}

func TestLateralChain(t *testing.T) {
	evs := []*schema.Event{
		connFrom(0, "jump01", "203.0.113.5", "10.0.0.10", 300),
		connFrom(0, "db01", "10.0.0.10", "10.0.0.30", 400),
		connFrom(0, "app01", "10.0.0.30", "10.0.0.40", 500),
		// attacker -> jump01 -> db01 -> app01, each while the previous is open.
		logon(time.Minute, "jump01", "mallory", "203.0.113.5", "password", ""),
		logon(5*time.Minute, "db01", "mallory", "10.0.0.10", "publickey", "SHA256:m"),
		logon(9*time.Minute, "app01", "svc", "10.0.0.30", "publickey", "SHA256:m"),
		// a logon from jump01's address after its session closed: not a hop.
	}
	evs[3].PID, evs[4].PID = 301, 401
	closeJump := handmade(20*time.Minute, schema.Event{Host: "jump01", Action: schema.ActionSessionClose, User: "mallory", PID: 301, Message: "session closed"})
	late := logon(30*time.Minute, "web09", "ops", "10.0.0.10", "publickey", "SHA256:o")
	s := storeOf(t, evs, []*schema.Event{closeJump, late})
	f := only1(t, run(t, s, DefaultConfig(), "SSH_Lateral_Movement_Chain"))
	if f.Host != "app01" || f.SrcIP != "203.0.113.5" || len(f.Events) != 3 ||
		!strings.Contains(f.Summary, "203.0.113.5 -> mallory@jump01 -> mallory@db01 -> svc@app01") {
		t.Fatalf("got %+v", f)
	}
	// Negative: a 2-hop chain is below a threshold of 3.
	cfg := DefaultConfig()
	cfg.Thresholds.LateralHops = 3
	if fs := run(t, s, cfg, "SSH_Lateral_Movement_Chain"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
	s2 := storeOf(t, evs[:4], []*schema.Event{closeJump, late})
	if fs := run(t, s2, DefaultConfig(), "SSH_Lateral_Movement_Chain"); len(fs) != 0 {
		t.Fatalf("want none, got %v", fs)
	}
}
