package sshd

import (
	"net/netip"
	"strings"
)

// host returns the address or host name written in tok, or "" when tok is
// neither. IPv4-mapped IPv6 (::ffff:a.b.c.d) is reduced to IPv4 so one
// client has one address; brackets ([::1]) are removed. Host names are kept
// as written (sshd logs them with UseDNS); anything with characters no host
// name or address has is refused, so free text cannot pose as a source.
func host(tok string) string {
	if len(tok) >= 2 && tok[0] == '[' && tok[len(tok)-1] == ']' {
		tok = tok[1 : len(tok)-1]
	}
	if tok == "" {
		return ""
	}
	if len(tok) > 7 && (strings.HasPrefix(tok, "::ffff:") || strings.HasPrefix(tok, "::FFFF:")) && dotted(tok[7:]) {
		return tok[7:]
	}
	colon := false
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		case c == ':' || c == '%':
			colon = true
		default:
			return ""
		}
	}
	if colon {
		if _, err := netip.ParseAddr(tok); err != nil {
			return ""
		}
		return tok
	}
	if !alnum(tok[0]) {
		return ""
	}
	return tok
}

func dotted(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// port reads a decimal port at the start of s; n is the bytes used (0 if none).
func port(s string) (p, n int) {
	for n < len(s) && n < 6 && s[n] >= '0' && s[n] <= '9' {
		p = p*10 + int(s[n]-'0')
		n++
	}
	if n == 0 || n == 6 || p > 65535 {
		return 0, 0
	}
	return p, n
}

// word returns s up to the first space.
func word(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// anchor is one " from <addr>[ port <n>]" found in a message.
type anchor struct {
	start int    // index of " from "
	end   int    // index just past the port (or the address)
	host  string // address or host name
	port  int
	info  bool // followed by " sshN: " (auth info: key, client user, ruser)
}

// fromAnchor finds the source of a message. Usernames and the text after
// "ssh2: " are chosen by the client, so either can hold a fake
// " from A port P". The rule:
//   - infoAware (Accepted/Failed lines): the first " from A port P sshN" that
//     is followed by ": " wins: what follows it is auth info, and a fake in the
//     info cannot come before the real one. (A username that itself holds
//     "... port P ssh2: " is indistinguishable from that and loses; see
//     DESIGN notes in doc.go.)
//   - otherwise the LAST " from A port P", so text in a username before it
//     cannot forge it;
//   - only when no candidate has a port, the last " from A".
func fromAnchor(s string, infoAware bool) (anchor, bool) {
	var lastPort, lastBare, firstInfo anchor
	var havePort, haveBare, haveInfo bool
	for off := 0; ; {
		i := strings.Index(s[off:], " from ")
		if i < 0 {
			break
		}
		i += off
		off = i + 1
		j := i + len(" from ")
		tok := word(s[j:])
		h := host(tok)
		if h == "" {
			continue
		}
		a := anchor{start: i, end: j + len(tok), host: h}
		rest := s[a.end:]
		if strings.HasPrefix(rest, " port ") {
			if p, n := port(rest[6:]); n > 0 && (len(rest) == 6+n || rest[6+n] == ' ' || rest[6+n] == ':' || rest[6+n] == ',') {
				a.port = p
				a.end += 6 + n
				rest = s[a.end:]
				if len(rest) >= 5 && rest[:4] == " ssh" && (rest[4] == '1' || rest[4] == '2') {
					a.end += 5
					if strings.HasPrefix(s[a.end:], ": ") {
						a.info = true
					}
				}
				if a.info && infoAware && !haveInfo {
					firstInfo, haveInfo = a, true
				}
				lastPort, havePort = a, true
				continue
			}
		}
		lastBare, haveBare = a, true
	}
	switch {
	case haveInfo:
		return firstInfo, true
	case havePort:
		return lastPort, true
	case haveBare:
		return lastBare, true
	}
	return anchor{}, false
}

// tailAddr reads "<addr>[ port <n>]" at the END of s (after the caller has
// removed " [preauth]"): the form of "Connection closed by [user U ]A port P"
// and "Disconnected from ...". It returns the address, the port and the index
// where the address starts, so the text before it is the user name. Taking
// the last one means a user name holding "1.2.3.4 port 5" cannot forge it.
func tailAddr(s string) (h string, p int, at int, ok bool) {
	end := len(s)
	if i := strings.LastIndex(s, " port "); i >= 0 {
		if pp, n := port(s[i+6:]); n > 0 && i+6+n == len(s) {
			p = pp
			end = i
		}
	}
	at = strings.LastIndexByte(s[:end], ' ') + 1
	h = host(s[at:end])
	if h == "" {
		return "", 0, 0, false
	}
	return h, p, at, true
}

// kv returns the value of key (e.g. "rhost=") in a PAM "k=v k=v" list: the
// text up to the next space. PAM's own fields come before user=, so the first
// occurrence is PAM's.
func kv(s, key string) (string, bool) {
	i := strings.Index(s, key)
	for i > 0 && s[i-1] != ' ' && s[i-1] != ';' {
		j := strings.Index(s[i+1:], key)
		if j < 0 {
			return "", false
		}
		i += 1 + j
	}
	if i < 0 {
		return "", false
	}
	return word(s[i+len(key):]), true
}
