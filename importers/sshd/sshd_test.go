package sshd

import (
	"testing"

	"github.com/sshtrail/sshtrail/schema"
)

type row struct {
	program, msg string
	known        bool
	want         schema.Event // Program and Message are checked separately
}

func runRows(t *testing.T, name string, rows []row) {
	t.Helper()
	for _, r := range rows {
		var ev schema.Event
		known := Classify(&ev, r.program, r.msg)
		if ev.Message != r.msg {
			t.Errorf("%s %q: message %q", name, r.msg, ev.Message)
		}
		ev.Message, ev.Program = "", ""
		if known != r.known || ev != r.want {
			t.Errorf("%s %s: %q\n got %v %+v\nwant %v %+v", name, r.program, r.msg, known, ev, r.known, r.want)
		}
	}
}

// TestRealMessages: messages of elastic-secure-rhel7.head.log (Apache-2.0,
// elastic/beats @ d13173e2; the GPL corpus lines are tested by file and line
// in importers/authlog).
func TestRealMessages(t *testing.T) {
	runRows(t, "real", []row{
		{"sshd", "Failed password for root from 202.109.143.106 port 37058 ssh2", true,
			schema.Event{Action: "auth_failure", Outcome: "failure", User: "root", SrcIP: "202.109.143.106", SrcPort: 37058, Method: "password"}},
		{"sshd", "Accepted publickey for drewr from 69.245.39.97 port 34202 ssh2: RSA 01:67:32:d9:b3:20:5d:2d:5f:b4:35:c5:a5:8b:0a:5e", true,
			schema.Event{Action: "auth_success", Outcome: "success", User: "drewr", SrcIP: "69.245.39.97", SrcPort: 34202, Method: "publickey",
				KeyType: "RSA", KeyFP: "01:67:32:d9:b3:20:5d:2d:5f:b4:35:c5:a5:8b:0a:5e"}},
		{"sshd", `pam_succeed_if(sshd:auth): requirement "uid >= 1000" not met by user "root"`, true,
			schema.Event{Action: "pam", Outcome: "failure", User: "root"}},
		{"sshd", "PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=202.109.143.106  user=root", true,
			schema.Event{Action: "pam", Outcome: "failure", User: "root", SrcIP: "202.109.143.106", Reason: "PAM 4 more authentication failures"}},
		{"sshd", "PAM service(sshd) ignoring max retries; 5 > 3", true,
			schema.Event{Action: "pam", Outcome: "failure", Reason: "PAM service(sshd) ignoring max retries"}},
		{"sshd", "fatal: Read from socket failed: Connection reset by peer [preauth]", true,
			schema.Event{Action: "disconnect", Outcome: "failure", Reason: "Read from socket failed: Connection reset by peer"}},
		{"sshd", "Received disconnect from 116.31.116.27: 11:  [preauth]", true,
			schema.Event{Action: "disconnect", Outcome: "failure", SrcIP: "116.31.116.27", Reason: "11:"}},
		// The long tail (issue 15): real lines from ../shared/corpus
		// (fail2ban-sshd.log, crowdsec, wazuh) ...
		{"sshd", "SSH: Server;Ltype: Authname;Remote: 127.0.0.1-1780;Name: root [preauth]", true,
			schema.Event{Action: "other", Outcome: "unknown", User: "root", SrcIP: "127.0.0.1", SrcPort: 1780}},
		{"sshd", "SSH: Server;Ltype: Version;Remote: 127.0.0.1-1780;Protocol: 2.0;Client: libssh2_1.4.3", true,
			schema.Event{Action: "connection", Outcome: "unknown", SrcIP: "127.0.0.1", SrcPort: 1780, Client: "libssh2_1.4.3"}},
		{"sshd", "Magic value check failed (4289475479) on obfuscated handshake from 94.232.46.213 port 62730", true,
			schema.Event{Action: "disconnect", Outcome: "failure", SrcIP: "94.232.46.213", SrcPort: 62730, Reason: "magic value check failed (obfuscated handshake)"}},
		{"sshd", `error: Could not stat AuthorizedKeysCommand "/usr/local/sbin/ssh-ldap-authorized_keys": No such file or directory`, true,
			schema.Event{Action: "other", Outcome: "unknown", Reason: `Could not stat AuthorizedKeysCommand "/usr/local/sbin/ssh-ldap-authorized_keys": No such file or directory`}},
		{"sshd", "debug1: channel 3: connection failed: Connection timed out", true,
			schema.Event{Action: "other", Outcome: "unknown"}},
		// ... and, where no public sample exists, lines as OpenSSH 9 and EC2
		// Instance Connect write them.
		{"sshd", "error: beginning MaxStartups throttling", true,
			schema.Event{Action: "notice", Outcome: "unknown", Reason: "beginning MaxStartups throttling"}},
		{"sshd", "exited MaxStartups throttling after 00:01:02, 214 connections dropped", true,
			schema.Event{Action: "notice", Outcome: "unknown", Reason: "exited MaxStartups throttling after 00:01:02, 214 connections dropped"}},
		{"sshd", "error: AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys ec2-user SHA256:N2ZfDsVDiJfYVQD1oKBJL8O/zAC2R4J8kiw5v2k6jZI failed, status 22", true,
			schema.Event{Action: "pam", Outcome: "failure", User: "ec2-user", Method: "publickey", KeyFP: "SHA256:N2ZfDsVDiJfYVQD1oKBJL8O/zAC2R4J8kiw5v2k6jZI",
				Reason: "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys ec2-user SHA256:N2ZfDsVDiJfYVQD1oKBJL8O/zAC2R4J8kiw5v2k6jZI failed, status 22"}},
		{"sshd", "fatal: ssh_packet_send_debug: Broken pipe", true,
			schema.Event{Action: "disconnect", Outcome: "unknown", Reason: "ssh_packet_send_debug: Broken pipe"}},
		// Alone, an untagged disconnect is unknown: only the connection's
		// history (sshd.PIDSources) makes it a success.
		{"sshd", "Received disconnect from 69.245.39.97: 11: disconnected by user", true,
			schema.Event{Action: "disconnect", Outcome: "unknown", SrcIP: "69.245.39.97", Reason: "11: disconnected by user"}},
		{"sshd", "pam_unix(sshd:session): session opened for user drewr by (uid=0)", true,
			schema.Event{Action: "session_open", Outcome: "success", User: "drewr"}},
	})
}

// TestHandmadeMessages covers forms of current OpenSSH and the programs
// around a login that the real corpus lacks. Hand-made lines.
func TestHandmadeMessages(t *testing.T) {
	runRows(t, "handmade", []row{
		{"sshd-session", "Accepted publickey for deploy from 2001:db8::7 port 50022 ssh2: ED25519-CERT SHA256:Ldm7PWKr2ghhOMHTtYHchxhhG1uiaBnKu+ctYW3r8Vg ID ci-runner (serial 42) CA ED25519 SHA256:q5Wc0GvBqGGtKbMq5t9eB0h4o3e3mE3vH4bKf1vYgG0", true,
			schema.Event{Action: "auth_success", Outcome: "success", User: "deploy", SrcIP: "2001:db8::7", SrcPort: 50022, Method: "publickey",
				KeyType: "ED25519-CERT", KeyFP: "SHA256:Ldm7PWKr2ghhOMHTtYHchxhhG1uiaBnKu+ctYW3r8Vg",
				Reason: "ID ci-runner (serial 42) CA ED25519 SHA256:q5Wc0GvBqGGtKbMq5t9eB0h4o3e3mE3vH4bKf1vYgG0"}},
		{"sshd-auth", "Partial publickey for alice from ::ffff:192.0.2.4 port 1022 ssh2: ECDSA SHA256:abc", true,
			schema.Event{Action: "auth_partial", Outcome: "unknown", User: "alice", SrcIP: "192.0.2.4", SrcPort: 1022, Method: "publickey", KeyType: "ECDSA", KeyFP: "SHA256:abc"}},
		{"sshd", "Accepted gssapi-with-mic for bob from db01.corp.example port 2222 ssh2", true,
			schema.Event{Action: "auth_success", Outcome: "success", User: "bob", SrcIP: "db01.corp.example", SrcPort: 2222, Method: "gssapi-with-mic"}},
		{"sshd", "Accepted key ED25519 SHA256:abc found at /home/a/.ssh/authorized_keys:1", false,
			schema.Event{Action: "other", Outcome: "unknown"}},
		{"sshd", "Starting session: shell on pts/3 for alice from 192.0.2.4 port 1022 id 0", true,
			schema.Event{Action: "session_open", Outcome: "success", User: "alice", SrcIP: "192.0.2.4", SrcPort: 1022, TTY: "pts/3", Reason: "shell"}},
		{"sshd", "Close session: user alice from 192.0.2.4 port 1022 id 0", true,
			schema.Event{Action: "session_close", Outcome: "success", User: "alice", SrcIP: "192.0.2.4", SrcPort: 1022}},
		{"sshd-session", "pam_unix(sshd:session): session opened for user alice(uid=1000) by alice(uid=0)", true,
			schema.Event{Action: "session_open", Outcome: "success", User: "alice", UID: "1000"}},
		{"sshd", "drop connection #3 from [198.51.100.9]:40022 on [192.0.2.1]:22 penalty: failed authentication", true,
			schema.Event{Action: "disconnect", Outcome: "failure", SrcIP: "198.51.100.9", SrcPort: 40022, DstIP: "192.0.2.1", DstPort: 22,
				Reason: "drop connection: penalty: failed authentication"}},
		{"sshd", "srclimit_penalise: ipv4: new 198.51.100.9/32 deferred penalty of 30 seconds for penalty: failed authentication", true,
			schema.Event{Action: "notice", Outcome: "unknown", SrcIP: "198.51.100.9", Reason: "penalty: failed authentication"}},
		{"sshd", "srclimit_penalise: ipv6: new 2001:db8::/64 active penalty of 30 seconds for penalty: exceeded LoginGraceTime", true,
			schema.Event{Action: "notice", Outcome: "unknown", Reason: "penalty: exceeded LoginGraceTime"}},
		{"sshd", "subsystem request for sftp by user alice", true,
			schema.Event{Action: "command", Outcome: "success", User: "alice", Command: "sftp", Reason: "subsystem request"}},
		{"sshd", "Server listening on 0.0.0.0 port 22.", false, schema.Event{Action: "other", Outcome: "unknown"}},
		// A username crafted to look like a source, and an info tail doing the same.
		{"sshd", "Invalid user x from 6.6.6.6 port 1 from 192.0.2.50 port 4000", true,
			schema.Event{Action: "invalid_user", Outcome: "failure", User: "x from 6.6.6.6 port 1", SrcIP: "192.0.2.50", SrcPort: 4000}},
		{"sudo", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id ; echo x", true,
			schema.Event{Action: "command", Outcome: "success", User: "alice", TTY: "pts/0", Command: "/usr/bin/id ; echo x", Reason: "as root"}},
		{"sudo", "unable to execute /usr/sbin/sendmail: No such file or directory", false, schema.Event{Action: "other", Outcome: "unknown"}},
		{"su", "pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)", true,
			schema.Event{Action: "command", Outcome: "success", User: "alice", UID: "1000", Command: "su root"}},
		{"su", "FAILED SU (to root) alice on pts/0", true,
			schema.Event{Action: "command", Outcome: "failure", User: "alice", TTY: "pts/0", Command: "su root"}},
		{"su", "FAILED su for root by alice", true,
			schema.Event{Action: "command", Outcome: "failure", User: "alice", Command: "su root"}},
		{"systemd-logind", "New session 12 of user alice.", true,
			schema.Event{Action: "session_open", Outcome: "success", User: "alice", Reason: "logind session 12"}},
		{"systemd-logind", "Removed session 12.", true,
			schema.Event{Action: "session_close", Outcome: "success", Reason: "logind session 12"}},
		{"systemd-logind", "Watching system buttons on /dev/input/event0", false, schema.Event{Action: "other", Outcome: "unknown"}},
		{"sshd(pam_unix)", "session closed for user test", true,
			schema.Event{Action: "session_close", Outcome: "success", User: "test"}},
	})
}

func TestWanted(t *testing.T) {
	for p, want := range map[string]bool{"sshd": true, "sshd-session": true, "sshd-auth": true, "sshd(pam_unix)": true,
		"sudo": true, "su": true, "systemd-logind": true, "CRON": false, "sshd-keygen": false, "": false} {
		if Wanted(p) != want {
			t.Errorf("Wanted(%q) = %v", p, !want)
		}
	}
}
