package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// disconnect sets a disconnect event. The outcome is failure before
// authentication (a [preauth] tag, an "authenticating"/"invalid" user, or a
// form that can only happen before it), and unknown otherwise: an untagged
// "Connection closed by A port P" is what the listener logs when a
// scanner's banner or key exchange fails, before any privsep child exists
// to tag it, and what OpenSSH 10's sshd-session logs for scanners. Only the
// connection's own history makes it a success (PIDSources.Fill).
func disconnect(ev *schema.Event, reason string, failed bool) bool {
	if reason != "" {
		addReason(ev, reason)
	}
	if failed {
		return set(ev, schema.ActionDisconnect, schema.OutcomeFailure)
	}
	return set(ev, schema.ActionDisconnect, schema.OutcomeUnknown)
}

// disconnectAuthed sets the disconnect of a connection whose own line says
// it had logged in ("Disconnected from user U A port P": sshd writes "user"
// bare only once authentication succeeded).
func disconnectAuthed(ev *schema.Event, reason string) bool {
	if reason != "" {
		addReason(ev, reason)
	}
	return set(ev, schema.ActionDisconnect, schema.OutcomeSuccess)
}

// classifyConn handles connection and disconnect forms.
func classifyConn(ev *schema.Event, s string, preauth bool) bool {
	switch {
	case strings.HasPrefix(s, "Connection from "):
		return connectionFrom(ev, s[len("Connection from "):])
	case strings.HasPrefix(s, "Connection closed by "):
		return byUser(ev, s[len("Connection closed by "):], "connection closed", preauth)
	case strings.HasPrefix(s, "Connection reset by "):
		return byUser(ev, s[len("Connection reset by "):], "connection reset", preauth)
	case strings.HasPrefix(s, "Disconnected from "):
		return byUser(ev, s[len("Disconnected from "):], "disconnected", preauth)
	case strings.HasPrefix(s, "Received disconnect from "):
		return receivedDisconnect(ev, s[len("Received disconnect from "):], preauth)
	case strings.HasPrefix(s, "Disconnecting"):
		return disconnecting(ev, s[len("Disconnecting"):], preauth)
	case strings.HasPrefix(s, "maximum authentication attempts exceeded for "):
		at := len("maximum authentication attempts exceeded for ")
		if a, ok := fromAnchor(s, true); ok && a.start >= at-1 {
			ev.User, _ = cutInvalid(s[at:max(at, a.start)])
			ev.SrcIP, ev.SrcPort = a.host, a.port
		}
		return disconnect(ev, "maximum authentication attempts exceeded", true)
	case strings.HasPrefix(s, "Timeout before authentication for "):
		t := s[len("Timeout before authentication for "):]
		if c, ok := strings.CutPrefix(t, "connection from "); ok {
			// "connection from A to B, pid = N" (old OpenSSH)
			src, rest, _ := strings.Cut(c, " to ")
			ev.SrcIP = host(src)
			dst, _, _ := strings.Cut(rest, ",")
			ev.DstIP = host(dst)
		} else {
			ev.SrcIP = host(word(t))
			if p, n := port(strings.TrimPrefix(t[len(word(t)):], " port ")); n > 0 {
				ev.SrcPort = p
			}
		}
		return disconnect(ev, "timeout before authentication", true)
	case strings.HasPrefix(s, "Did not receive identification string from "),
		strings.HasPrefix(s, "Bad protocol version identification "),
		strings.HasPrefix(s, "banner exchange: "),
		strings.HasPrefix(s, "ssh_dispatch_run_fatal: "):
		if a, ok := fromAnchor(s, false); ok {
			ev.SrcIP, ev.SrcPort = a.host, a.port
			reason := s[:a.start]
			if t := strings.TrimPrefix(s[a.end:], ": "); t != s[a.end:] {
				reason += ": " + t
			}
			return disconnect(ev, reason, true)
		}
		return disconnect(ev, s, true)
	case strings.HasPrefix(s, "kex_exchange_identification: "),
		strings.HasPrefix(s, "Unable to negotiate a key exchange method"),
		strings.HasPrefix(s, "no matching "),
		strings.HasPrefix(s, "Bad packet length"),
		strings.HasPrefix(s, "Corrupted MAC on input"),
		strings.HasPrefix(s, "ssh_dispatch_run_fatal"):
		return disconnect(ev, s, true)
	case strings.HasPrefix(s, "Unable to negotiate with "):
		t := s[len("Unable to negotiate with "):]
		src := word(t)
		rest := t[len(src):]
		ev.SrcIP = host(strings.TrimSuffix(src, ":"))
		if u, ok := strings.CutPrefix(rest, " port "); ok {
			if p, n := port(u); n > 0 {
				ev.SrcPort = p
				rest = u[n:]
			}
		}
		return disconnect(ev, strings.TrimSpace(strings.TrimPrefix(rest, ":")), true)
	case strings.HasPrefix(s, "Read from socket failed: "),
		strings.HasPrefix(s, "Write failed: "),
		strings.HasPrefix(s, "Read error from remote host "):
		if t, ok := strings.CutPrefix(s, "Read error from remote host "); ok {
			addr, reason, _ := strings.Cut(t, ": ")
			ev.SrcIP = host(strings.TrimSuffix(word(addr), ":"))
			if p, n := port(strings.TrimPrefix(addr[len(word(addr)):], " port ")); n > 0 {
				ev.SrcPort = p
			}
			return disconnect(ev, reason, preauth)
		}
		return disconnect(ev, s, preauth)
	case strings.HasPrefix(s, "refused connect from "):
		// tcp_wrappers: "refused connect from NAME (ADDR)"
		if i := strings.LastIndex(s, " ("); i >= 0 && strings.HasSuffix(s, ")") {
			ev.SrcIP = host(s[i+2 : len(s)-1])
		}
		return disconnect(ev, "refused connect (tcp_wrappers)", true)
	case strings.HasPrefix(s, "drop connection #"):
		return dropConnection(ev, s)
	}
	return false
}

// connectionFrom: "A port P on B port Q[ rdomain "x"]" or just "A".
func connectionFrom(ev *schema.Event, s string) bool {
	src := word(s)
	ev.SrcIP = host(src)
	if ev.SrcIP == "" {
		return false
	}
	rest := s[len(src):]
	if t, ok := strings.CutPrefix(rest, " port "); ok {
		if p, n := port(t); n > 0 {
			ev.SrcPort = p
			rest = t[n:]
		}
	}
	if t, ok := strings.CutPrefix(rest, " on "); ok {
		dst := word(t)
		ev.DstIP = host(dst)
		if u, ok := strings.CutPrefix(t[len(dst):], " port "); ok {
			if p, n := port(u); n > 0 {
				ev.DstPort = p
			}
		}
	}
	return set(ev, schema.ActionConnection, schema.OutcomeUnknown)
}

// byUser: "[authenticating |invalid ]user U A[ port P]" or "A[ port P]" at the
// end of "Connection closed by", "Connection reset by", "Disconnected from".
func byUser(ev *schema.Event, s, reason string, preauth bool) bool {
	failed := preauth
	if !userAddr(ev, s, &failed) {
		return false
	}
	if !failed && ev.User != "" {
		return disconnectAuthed(ev, reason)
	}
	return disconnect(ev, reason, failed)
}

// receivedDisconnect: "A port P:11: Bye Bye" or old "A: 11: Bye Bye".
func receivedDisconnect(ev *schema.Event, s string, preauth bool) bool {
	var reason string
	tok := word(s)
	if t, ok := strings.CutPrefix(s[len(tok):], " port "); ok {
		p, n := port(t)
		if n == 0 {
			return false
		}
		ev.SrcIP, ev.SrcPort = host(tok), p
		reason = t[n:]
	} else {
		// No port: the address ends at the first ": " (IPv6 has no ": ").
		addr, r, ok := strings.Cut(s, ": ")
		if !ok {
			return false
		}
		ev.SrcIP, reason = host(addr), r
	}
	reason = strings.TrimSpace(strings.TrimPrefix(reason, ":"))
	return disconnect(ev, reason, preauth || clientGaveUp(reason))
}

// clientGaveUp: a client's disconnect reason that only comes before a
// login — RFC 4253 code 3 (key exchange failed) or 14 (no more
// authentication methods), or a library's "Auth fail" (JSch, gh-289).
func clientGaveUp(reason string) bool {
	code, text, _ := strings.Cut(reason, ":")
	switch strings.TrimSpace(code) {
	case "3", "14":
		return true
	}
	t := strings.ToLower(text)
	return strings.Contains(t, "auth fail") || strings.Contains(t, "auth cancel") || strings.Contains(t, "no more authentication methods")
}

// disconnecting: ": Too many authentication failures[ for U]" or
// " [authenticating |invalid ]user U A port P: reason".
func disconnecting(ev *schema.Event, s string, preauth bool) bool {
	if r, ok := strings.CutPrefix(s, ": "); ok {
		if u, ok := strings.CutPrefix(r, "Too many authentication failures for "); ok {
			ev.User = u
			return disconnect(ev, "Too many authentication failures", true)
		}
		return disconnect(ev, r, preauth || strings.HasPrefix(r, "Too many authentication failures"))
	}
	s = strings.TrimPrefix(s, " ")
	// The reason can repeat user names ("Change of username or service not
	// allowed: (a,ssh-connection) -> (b,ssh-connection)"): cut at a known
	// reason first, else at the last " port P: ".
	end := -1
	for _, r := range []string{": Too many authentication failures", ": Change of username or service not allowed"} {
		if i := strings.Index(s, r); i >= 0 && (end < 0 || i < end) {
			end = i
		}
	}
	if end < 0 {
		end = lastPortColon(s)
	}
	if end < 0 {
		return disconnect(ev, s, preauth)
	}
	reason := strings.TrimPrefix(s[end:], ": ")
	failed := preauth || strings.HasPrefix(reason, "Too many authentication failures")
	if !userAddr(ev, s[:end], &failed) {
		return disconnect(ev, s, failed)
	}
	return disconnect(ev, reason, failed)
}

// lastPortColon finds the last " port <digits>: " and returns the index of
// the ": ".
func lastPortColon(s string) int {
	for end := len(s); end > 0; {
		i := strings.LastIndex(s[:end], " port ")
		if i < 0 {
			return -1
		}
		if _, n := port(s[i+6:]); n > 0 && strings.HasPrefix(s[i+6+n:], ":") {
			return i + 6 + n
		}
		end = i
	}
	return -1
}

// userAddr reads "[authenticating |invalid ]user U A[ port P]" or
// "A[ port P]": the address is the last one (tailAddr), the user what is
// before it. An authenticating or invalid user means before authentication.
func userAddr(ev *schema.Event, s string, failed *bool) bool {
	h, p, at, ok := tailAddr(s)
	if !ok {
		return false
	}
	ev.SrcIP, ev.SrcPort = h, p
	who := ""
	if at > 0 {
		who = s[:at-1]
	}
	for _, pre := range []string{"authenticating user ", "invalid user ", "user "} {
		if u, ok := strings.CutPrefix(who, pre); ok {
			ev.User = u
			if pre != "user " {
				*failed = true
			}
			break
		}
	}
	if who == "authenticating user" || who == "invalid user" {
		*failed = true // empty user name
	}
	return true
}

// dropConnection: "drop connection #3 from [A]:P on [B]:Q past MaxStartups"
// or "... penalty: failed authentication" (OpenSSH >= 9.8).
func dropConnection(ev *schema.Event, s string) bool {
	_, t, ok := strings.Cut(s, " from [")
	if !ok {
		return disconnect(ev, s, true)
	}
	src, t, _ := strings.Cut(t, "]:")
	ev.SrcIP = host(src)
	p, n := port(t)
	ev.SrcPort = p
	t = t[n:]
	if u, ok := strings.CutPrefix(t, " on ["); ok {
		dst, rest, _ := strings.Cut(u, "]:")
		ev.DstIP = host(dst)
		dp, dn := port(rest)
		ev.DstPort = dp
		t = rest[dn:]
	}
	return disconnect(ev, "drop connection: "+strings.TrimSpace(t), true)
}
