package authlog

import (
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/importers"
)

// header is the syslog framing of one line.
type header struct {
	ts      time.Time // zero for RFC 3164 until the year is known
	stamp   importers.Stamp
	rfc3164 bool // ts must be completed with a year (YearInfer)
	zoned   bool // the timestamp carried its zone
	tsRaw   string
	host    string
	program string // "sshd", "sshd(pam_unix)", "" when the line has none
	pid     int
	msg     string
	repeat  int // "last message repeated N times" (sysklogd): the previous line N more times
}

// parseHeader reads the syslog header forms sshtrail meets:
//
//	Mar  4 09:02:11 host sshd[123]: msg            RFC 3164 (day padded or not)
//	Mar  4 09:02:11  sshd[123]: msg                host missing
//	Mar  4 09:02:11 sshd[123]: msg                 host missing
//	Mar  4 09:02:11 <4.6> host sshd[1]: msg        FreeBSD syslogd -v
//	Mar  4 09:02:11 <auth.info> host sshd[1]: msg  FreeBSD syslogd -vv
//	Dec 31 11:59:59 [sshd] msg                     metalog (no host, no pid)
//	Jun 14 15:16:01 combo sshd(pam_unix)[19939]: msg
//	... sshd[1]: [ID 800047 auth.info] msg         Solaris tag (removed)
//	2026-03-14T02:11:09.123456+00:00 host sshd[1]: msg  rsyslog ISO 8601 (zone optional)
//	2020-03-23 06:47:42.801612-0700  localhost sshd[1]: msg  macOS syslog style
//	<38>1 2026-03-14T02:11:09Z host sshd 1234 - [sd] msg      RFC 5424
//	<38>Mar  4 09:02:11 host sshd[1]: msg          RFC 3164 with PRI
//
// A line whose timestamp does not parse is not syslog (ok false). A line
// with a timestamp but no "program:" gets program "" (ignored by the caller).
func parseHeader(s string, loc *time.Location) (h header, ok bool) {
	if strings.HasPrefix(s, "<") {
		j := strings.IndexByte(s, '>')
		if j < 2 || j > 4 || !allDigits(s[1:j]) {
			return h, false
		}
		s = s[j+1:]
		if strings.HasPrefix(s, "1 ") {
			return parse5424(s[2:], loc)
		}
	}
	var n int
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		h.ts, n, h.zoned, ok = importers.ParseISO8601(s, loc)
	} else {
		h.stamp, n, ok = importers.ParseRFC3164(s)
		h.rfc3164 = ok
	}
	if !ok || n >= len(s) || s[n] != ' ' {
		return header{}, false
	}
	h.tsRaw = s[:n]
	rest := strings.TrimLeft(s[n:], " ")
	// FreeBSD -v / -vv: "<4.6> " or "<auth.info> " before the host.
	if strings.HasPrefix(rest, "<") {
		if j := strings.IndexByte(rest, '>'); j > 1 && j < 24 && j+1 < len(rest) && rest[j+1] == ' ' {
			rest = rest[j+2:]
		}
	}
	// Metalog: "[sshd] msg" or "[sshd]: msg".
	if strings.HasPrefix(rest, "[") {
		if j := strings.IndexByte(rest, ']'); j > 1 && !strings.HasPrefix(rest, "[ID ") {
			h.program = rest[1:j]
			m := rest[j+1:]
			m = strings.TrimPrefix(m, ":")
			h.msg = strings.TrimPrefix(m, " ")
			return h, true
		}
	}
	tok := word(rest)
	if !programToken(tok) {
		h.host = tok
		rest = rest[len(tok):]
		rest = strings.TrimPrefix(rest, " ")
		if m, ok := strings.CutPrefix(rest, "last message repeated "); ok {
			h.repeat = repeatCount(m)
			h.msg = rest
			return h, true
		}
		tok = word(rest)
		if !programToken(tok) {
			h.msg = rest // "-- MARK --" and other program-less lines
			return h, true
		}
	}
	h.program, h.pid = splitProgram(tok[:len(tok)-1])
	h.msg = strings.TrimPrefix(rest[len(tok):], " ")
	h.msg = solarisTag(h.msg)
	if m, ok := strings.CutPrefix(h.msg, "last message repeated "); ok {
		h.repeat = repeatCount(m)
	}
	return h, true
}

// parse5424 reads "TS HOST APP PROCID MSGID SD MSG" after "<PRI>1 ".
func parse5424(s string, loc *time.Location) (h header, ok bool) {
	var n int
	h.ts, n, h.zoned, ok = importers.ParseISO8601(s, loc)
	if !ok || n >= len(s) || s[n] != ' ' {
		return header{}, false
	}
	h.tsRaw = s[:n]
	s = s[n+1:]
	var f [4]string
	for i := range f {
		f[i] = word(s)
		if len(f[i]) == len(s) {
			return header{}, false
		}
		s = s[len(f[i])+1:]
	}
	nil5424 := func(v string) string {
		if v == "-" {
			return ""
		}
		return v
	}
	h.host, h.program = nil5424(f[0]), nil5424(f[1])
	if allDigits(f[2]) {
		h.pid = atoi(f[2])
	}
	s = skipSD(s)
	s = strings.TrimPrefix(s, " ")
	h.msg = strings.TrimPrefix(s, "\ufeff")
	return h, true
}

// skipSD skips RFC 5424 structured data: "-" or "[id k="v"]..." where quoted
// values may hold "]" and backslash escapes.
func skipSD(s string) string {
	if strings.HasPrefix(s, "-") {
		return s[1:]
	}
	for strings.HasPrefix(s, "[") {
		inQ := false
		i := 1
		for ; i < len(s); i++ {
			c := s[i]
			if inQ {
				if c == '\\' {
					i++
				} else if c == '"' {
					inQ = false
				}
				continue
			}
			if c == '"' {
				inQ = true
			} else if c == ']' {
				break
			}
		}
		if i >= len(s) {
			return ""
		}
		s = s[i+1:]
	}
	return s
}

// programToken: "sshd[123]:", "sudo:", "sshd(pam_unix)[1]:".
func programToken(tok string) bool {
	return len(tok) >= 2 && tok[len(tok)-1] == ':'
}

// splitProgram splits "sshd[123]" into sshd and 123; a path
// ("/usr/sbin/sshd") is reduced to its base name.
func splitProgram(p string) (string, int) {
	pid := 0
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i > 0 {
			if allDigits(p[i+1 : len(p)-1]) {
				pid = atoi(p[i+1 : len(p)-1])
			}
			p = p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 && i < len(p)-1 {
		p = p[i+1:]
	}
	return p, pid
}

// solarisTag removes "[ID 800047 auth.info] " (Solaris, macOS).
func solarisTag(m string) string {
	if strings.HasPrefix(m, "[ID ") {
		if j := strings.IndexByte(m, ']'); j > 0 {
			return strings.TrimPrefix(m[j+1:], " ")
		}
	}
	return m
}

// repeatCount reads "2 times" (sysklogd) and returns 2, 0 if malformed.
func repeatCount(m string) int {
	n, rest, _ := strings.Cut(m, " ")
	if !allDigits(n) || !strings.HasPrefix(rest, "time") {
		return 0
	}
	return atoi(n)
}

func word(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

func allDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi of at most 9 digits (checked by allDigits).
func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}
