package sshd

import (
	"strings"
	"testing"

	"github.com/sshtrail/sshtrail/schema"
)

// FuzzClassify: Classify never panics, always sets an action and outcome,
// and every address, user and key it reports is text of the message.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"Accepted publickey for u from 192.0.2.1 port 22 ssh2: RSA-CERT SHA256:abc ID k (serial 1) CA RSA SHA256:def",
		"Failed password for invalid user x from 10.0.0.1 port 1 ssh2 from 127.0.0.1 port 2 ssh2",
		"Connection closed by authenticating user t 1.2.3.4 port 5 192.0.2.11 port 46039 [preauth]",
		"pam_unix(sshd:session): session opened for user u(uid=1000) by (uid=0)",
		"drop connection #1 from [192.0.2.1]:22 on [192.0.2.2]:22 penalty: failed authentication",
	} {
		f.Add("sshd", s)
	}
	f.Add("sudo", "u : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls")
	f.Add("su", "pam_unix(su:session): session opened for user root by alice(uid=1000)")
	f.Add("systemd-logind", "New session 3 of user alice.")
	f.Fuzz(func(t *testing.T, program, msg string) {
		var ev schema.Event
		Classify(&ev, program, msg)
		if ev.Action == "" || ev.Outcome == "" || ev.Message != msg {
			t.Fatalf("action %q outcome %q", ev.Action, ev.Outcome)
		}
		for _, v := range []string{ev.SrcIP, ev.User, ev.KeyFP, ev.KeyType, ev.DstIP} {
			// Case-insensitive: "ROOT LOGIN REFUSED" names the user root.
			if v != "" && !strings.Contains(strings.ToLower(msg), strings.ToLower(v)) {
				t.Errorf("%q not in message %q", v, msg)
			}
		}
		if ev.SrcPort < 0 || ev.SrcPort > 65535 || ev.DstPort < 0 || ev.DstPort > 65535 {
			t.Errorf("port out of range")
		}
	})
}
