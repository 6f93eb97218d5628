package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// classifyMisc handles the remaining known sshd forms: sessions (VERBOSE),
// subsystems, refusals, reverse-DNS warnings and penalties.
func classifyMisc(ev *schema.Event, s string) bool {
	switch {
	case strings.HasPrefix(s, "Starting session: "):
		// "shell on pts/0 for U from A port P id 0", "command for U from ...",
		// "subsystem 'sftp' for U from ...", "forced-command (key-option) 'x' for U ..."
		t := s[len("Starting session: "):]
		if a, ok := fromAnchor(t, false); ok {
			head := t[:a.start]
			if i := strings.Index(head, " for "); i >= 0 {
				ev.User = head[i+len(" for "):]
				head = head[:i]
			}
			if i := strings.Index(head, " on "); i >= 0 {
				ev.TTY = word(head[i+len(" on "):])
				head = head[:i]
			}
			ev.Reason = head
			ev.SrcIP, ev.SrcPort = a.host, a.port
		}
		return set(ev, schema.ActionSessionOpen, schema.OutcomeSuccess)
	case strings.HasPrefix(s, "Close session: user "):
		t := s[len("Close session: user "):]
		if a, ok := fromAnchor(" "+t, false); ok {
			ev.User = t[:max(0, a.start-1)]
			ev.SrcIP, ev.SrcPort = a.host, a.port
		}
		return set(ev, schema.ActionSessionClose, schema.OutcomeSuccess)
	case strings.HasPrefix(s, "subsystem request for "):
		// "sftp by user U[ failed, subsystem not found]"
		t := s[len("subsystem request for "):]
		name, rest, _ := strings.Cut(t, " by user ")
		ev.Command = name
		ev.Reason = "subsystem request"
		user, failed := strings.CutSuffix(rest, " failed, subsystem not found")
		ev.User = user
		if failed {
			return set(ev, schema.ActionCommand, schema.OutcomeFailure)
		}
		return set(ev, schema.ActionCommand, schema.OutcomeSuccess)
	case strings.HasPrefix(s, "ROOT LOGIN REFUSED FROM "):
		t := s[len("ROOT LOGIN REFUSED FROM "):]
		ev.User = "root"
		ev.SrcIP = host(word(t))
		if u, ok := strings.CutPrefix(t[len(word(t)):], " port "); ok {
			ev.SrcPort, _ = port(u)
		}
		ev.Reason = "root login refused"
		return set(ev, schema.ActionPAM, schema.OutcomeFailure)
	case strings.HasPrefix(s, "User ") && strings.Contains(s, " not allowed because "):
		// "User U from A not allowed because not listed in AllowUsers",
		// "User U not allowed because account is locked".
		i := strings.LastIndex(s, " not allowed because ")
		head := s[min(len("User "), i):i] // "User  not allowed": empty name
		ev.Reason = "not allowed because " + s[i+len(" not allowed because "):]
		ev.User = head
		if a, ok := fromAnchor(" "+head, false); ok && a.end == len(head)+1 {
			ev.User = head[:max(0, a.start-1)]
			ev.SrcIP = a.host
		}
		return set(ev, schema.ActionPAM, schema.OutcomeFailure)
	case strings.HasPrefix(s, "reverse mapping checking getaddrinfo for "):
		// "H [A] failed - POSSIBLE BREAK-IN ATTEMPT!"
		if i := strings.LastIndex(s, " ["); i >= 0 {
			if j := strings.IndexByte(s[i:], ']'); j > 0 {
				ev.SrcIP = host(s[i+2 : i+j])
			}
		}
		ev.Reason = "reverse mapping failed - POSSIBLE BREAK-IN ATTEMPT"
		return set(ev, schema.ActionConnection, schema.OutcomeUnknown)
	case strings.HasPrefix(s, "srclimit_penalise: "):
		return penalty(ev, s[len("srclimit_penalise: "):])
	case strings.HasPrefix(s, "SSH: Server;Ltype: Version;Remote: "):
		// A distribution patch (VERBOSE): "Remote: 127.0.0.1-1780;Protocol: 2.0;Client: libssh2_1.4.3"
		t := s[len("SSH: Server;Ltype: Version;Remote: "):]
		remote, rest, _ := strings.Cut(t, ";")
		if i := strings.LastIndexByte(remote, '-'); i > 0 {
			ev.SrcIP = host(remote[:i])
			ev.SrcPort, _ = port(remote[i+1:])
		}
		if _, c, ok := strings.Cut(rest, "Client: "); ok {
			ev.Client = c
		}
		return set(ev, schema.ActionConnection, schema.OutcomeUnknown)
	}
	return false
}

// addressMaps: "Address A maps to H, but this does not map back to the
// address - POSSIBLE BREAK-IN ATTEMPT!" (UseDNS, at connection time).
func addressMaps(ev *schema.Event, s string) bool {
	t := s[len("Address "):]
	a := word(t)
	if !strings.HasPrefix(t[len(a):], " maps to ") {
		return false
	}
	ev.SrcIP = host(a)
	ev.Reason = "reverse mapping failed - POSSIBLE BREAK-IN ATTEMPT"
	return set(ev, schema.ActionConnection, schema.OutcomeUnknown)
}

// penalty: "ipv4: new 192.0.2.1/32 deferred penalty of 10 seconds for
// penalty: failed authentication", "activating ipv4 penalty for ...",
// "active penalty for ipv4 10.0.0.1/32 already exists, 16 seconds remaining".
// The source is the first address-like word; a /32 or /128 is one address.
func penalty(ev *schema.Event, s string) bool {
	ev.Reason = s
	for _, w := range strings.Fields(s) {
		w = strings.TrimRight(w, ",:")
		addr, bits, cidr := strings.Cut(w, "/")
		if cidr && bits != "32" && bits != "128" {
			addRest := host(addr)
			if addRest != "" && strings.ContainsAny(addr, ".:") {
				break // a network: kept in Reason only
			}
			continue
		}
		if h := host(addr); h != "" && strings.ContainsAny(addr, ".:") && (dotted(addr) || strings.Contains(addr, ":")) {
			ev.SrcIP = h
			break
		}
	}
	if i := strings.Index(s, " for penalty: "); i >= 0 {
		ev.Reason = "penalty: " + s[i+len(" for penalty: "):]
	}
	return set(ev, schema.ActionNotice, schema.OutcomeUnknown)
}
