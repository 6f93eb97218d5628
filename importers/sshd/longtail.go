package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// classifyLongTail knows the sshd lines real systems write that no earlier
// form covers (issue 15's long tail). Each keeps the user, key and address
// the line holds, even where the action is only "other".
func classifyLongTail(ev *schema.Event, s string, preauth bool) bool {
	switch {
	case strings.HasPrefix(s, "beginning MaxStartups throttling"),
		strings.HasPrefix(s, "exited MaxStartups throttling"):
		// OpenSSH >= 8.x: the listener starts (or stops) dropping new
		// connections; a flood, not one connection.
		ev.Reason = s
		return set(ev, schema.ActionNotice, schema.OutcomeUnknown)
	case strings.HasPrefix(s, "AuthorizedKeysCommand "):
		return authorizedKeysCommand(ev, s)
	case strings.HasPrefix(s, "Could not stat AuthorizedKeysCommand"),
		strings.HasPrefix(s, "Unsafe AuthorizedKeysCommand"):
		ev.Reason = s // a broken key lookup: every key logon fails until fixed
		return set(ev, schema.ActionOther, schema.OutcomeUnknown)
	case strings.HasPrefix(s, "Magic value check failed ("):
		// The obfuscated-handshake patch (HPN/ssh-obfuscation) refusing a
		// client that did not speak it: a scanner, before any key exchange.
		if a, ok := fromAnchor(s, false); ok {
			ev.SrcIP, ev.SrcPort = a.host, a.port
		}
		return disconnect(ev, "magic value check failed (obfuscated handshake)", true)
	case strings.HasPrefix(s, "SSH: Server;Ltype: "):
		return serverLtype(ev, s[len("SSH: Server;Ltype: "):])
	case strings.HasPrefix(s, "ssh_packet_send_debug: "), strings.HasPrefix(s, "ssh_packet_write_wait: "):
		return disconnect(ev, s, preauth)
	case strings.HasPrefix(s, "debug1: "), strings.HasPrefix(s, "debug2: "), strings.HasPrefix(s, "debug3: "):
		// Verbose sshd (LogLevel DEBUG): channel and socket chatter. Kept as
		// other, with any address it names.
		if a, ok := fromAnchor(s, false); ok {
			ev.SrcIP, ev.SrcPort = a.host, a.port
		}
		return set(ev, schema.ActionOther, schema.OutcomeUnknown)
	}
	return false
}

// authorizedKeysCommand: "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys
// ec2-user SHA256:abc... failed, status 22" (EC2 Instance Connect found no
// pushed key for that user and key): a refused key, with its user and key.
func authorizedKeysCommand(ev *schema.Event, s string) bool {
	f := strings.Fields(s)
	failed := strings.Contains(s, " failed, status ")
	for i, w := range f {
		if strings.HasPrefix(w, "SHA256:") || strings.HasPrefix(w, "MD5:") {
			ev.KeyFP = w
			if i > 2 {
				ev.User = f[i-1]
			}
			break
		}
	}
	ev.Method = "publickey"
	ev.Reason = s
	if failed {
		return set(ev, schema.ActionPAM, schema.OutcomeFailure)
	}
	return set(ev, schema.ActionOther, schema.OutcomeUnknown)
}

// serverLtype: the "SSH: Server;Ltype: <kind>;Remote: A-P;..." audit lines
// of some distributions' sshd (Version, Kex, Authname).
func serverLtype(ev *schema.Event, s string) bool {
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), ": ")
		if !ok {
			continue
		}
		switch k {
		case "Remote":
			if i := strings.LastIndexByte(v, '-'); i > 0 {
				ev.SrcIP = host(v[:i])
				if p, n := port(v[i+1:]); n > 0 {
					ev.SrcPort = p
				}
			}
		case "Name":
			ev.User = v
		case "Client":
			ev.Client = v
		}
	}
	return set(ev, schema.ActionOther, schema.OutcomeUnknown)
}
