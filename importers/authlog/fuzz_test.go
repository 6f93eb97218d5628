package authlog

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzSyslogHeader: the header parser never panics, and what it returns are
// pieces of its input (no invented text), with a message that is a suffix.
func FuzzSyslogHeader(f *testing.F) {
	f.Add("Mar  4 09:02:11 host sshd[123]: Accepted password for a from 192.0.2.1 port 22 ssh2")
	f.Add("<38>1 2026-03-14T02:11:09.1+00:00 h sshd 1 - [a b=\"]\"] msg")
	f.Add("Apr  2 17:51:27 <4.3> pancake sshd[55624]: x")
	f.Add("Dec 31 11:59:59 [sshd] error: x")
	f.Add("2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: x")
	f.Fuzz(func(t *testing.T, line string) {
		h, ok := parseHeader(line, time.UTC)
		if !ok {
			return
		}
		if !strings.HasSuffix(line, h.msg) && !strings.HasSuffix(line, h.msg+"]") {
			t.Errorf("message %q is not a suffix of %q", h.msg, line)
		}
		if h.host != "" && !strings.Contains(line, h.host) {
			t.Errorf("host %q not in line", h.host)
		}
		if h.pid < 0 || h.repeat < 0 {
			t.Errorf("negative pid/repeat")
		}
		if utf8.ValidString(line) && !utf8.ValidString(h.tsRaw) {
			t.Errorf("tsRaw cut a rune")
		}
	})
}
