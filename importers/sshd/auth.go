package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// authLine parses "<Verb> <method> for [invalid user |illegal user ]U from A
// port P sshN[: info]" where s[at:] starts at the method.
func authLine(ev *schema.Event, s string, at int, action, outcome string) bool {
	rest := s[at:]
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 || !strings.HasPrefix(rest[sp:], " for ") {
		return false // "Accepted key RSA SHA256:... found at ...", "Failed to ..."
	}
	method := rest[:sp]
	a, ok := fromAnchor(s, true)
	userAt := at + sp + len(" for ")
	if !ok || a.start < userAt-1 {
		return false
	}
	ev.Method = normMethod(method)
	user := s[userAt:max(userAt, a.start)]
	if u, ok := cutInvalid(user); ok {
		user = u
		if action == schema.ActionAuthFailure || action == schema.ActionAuthPartial {
			ev.Reason = "invalid user"
		}
	}
	ev.User = user
	ev.SrcIP, ev.SrcPort = a.host, a.port
	if a.info {
		authInfo(ev, s[a.end+2:])
	}
	return set(ev, action, outcome)
}

// cutInvalid removes sshd's "invalid user " (old: "illegal user ") prefix.
func cutInvalid(user string) (string, bool) {
	if u, ok := strings.CutPrefix(user, "invalid user "); ok {
		return u, true
	}
	if u, ok := strings.CutPrefix(user, "illegal user "); ok {
		return u, true
	}
	return user, false
}

// normMethod maps sshd's method names to the DESIGN.md list.
func normMethod(m string) string {
	if i := strings.IndexByte(m, '/'); i > 0 {
		m = m[:i] // keyboard-interactive/pam, keyboard-interactive/bsdauth
	}
	switch m {
	case "rsa", "dsa":
		return "publickey" // SSH-1 RSA authentication
	}
	return m
}

// authInfo reads what follows "ssh2: ": "<KEYTYPE> <fingerprint>[ rest]".
// Certificates: "RSA-CERT SHA256:x ID key-id (serial 9) CA RSA SHA256:y";
// hostbased: ", client user "u", client host "h""; SSH-1: "ruser U". What is
// not the key goes to Reason.
func authInfo(ev *schema.Event, info string) {
	kt := word(info)
	if !keyType(kt) {
		addReason(ev, info)
		return
	}
	rest := strings.TrimPrefix(info[len(kt):], " ")
	fp := word(rest)
	fp = strings.TrimSuffix(fp, ",")
	if !strings.HasPrefix(fp, "SHA256:") && !strings.HasPrefix(fp, "MD5:") && !hexColon(fp) {
		addReason(ev, info)
		return
	}
	ev.KeyType, ev.KeyFP = kt, fp
	if more := strings.TrimLeft(rest[len(word(rest)):], " ,"); more != "" {
		addReason(ev, more)
	}
}

func addReason(ev *schema.Event, r string) {
	if ev.Reason == "" {
		ev.Reason = r
	} else {
		ev.Reason += "; " + r
	}
}

// keyType: RSA, DSA, ECDSA, ED25519, ECDSA-SK, ED25519-CERT, RSA-CERT-V01...
func keyType(s string) bool {
	if len(s) < 3 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '@' || c == '.') {
			return false
		}
	}
	return true
}

// hexColon: an MD5 fingerprint of old OpenSSH, "01:67:ab:...".
func hexColon(s string) bool {
	if len(s) < 5 || s[2] != ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == 'x') {
			return false
		}
	}
	return true
}

// invalidUser parses "U from A[ port P]" after "Invalid user ".
func invalidUser(ev *schema.Event, s string) bool {
	a, ok := fromAnchor(" "+s, false)
	if !ok {
		return false
	}
	// " "+s shifts indexes by one: the user is s[:a.start-1].
	ev.User = s[:max(0, a.start-1)]
	ev.SrcIP, ev.SrcPort = a.host, a.port
	return set(ev, schema.ActionInvalidUser, schema.OutcomeFailure)
}

// userauthRequest: "invalid user U" (OpenSSH < 7.5) repeats the Invalid user
// line of the same connection, so it is not a second attempt.
func userauthRequest(ev *schema.Event, s string) bool {
	u, ok := cutInvalid(s)
	if !ok {
		return false
	}
	ev.User = u
	ev.Reason = "input_userauth_request: invalid user"
	return set(ev, schema.ActionPAM, schema.OutcomeFailure)
}
