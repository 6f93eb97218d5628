package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes log-derived text inert for a terminal: C0 and C1 controls
// (ESC, BEL, CSI...), DEL, bidirectional overrides and invalid UTF-8 are
// shown escaped (\x1b, \u202e), never written raw. Log content is partly
// written by the attacker; this is the only path it takes to the screen.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
			n = 1
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// fit sanitizes s and cuts it to w cells.
func fit(s string, w int) string {
	s = Sanitize(s)
	if w <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	r := []rune(s)
	if w == 1 {
		return "…"
	}
	return string(r[:w-1]) + "…"
}

// pad sanitizes, cuts and pads s to exactly w cells.
func pad(s string, w int) string {
	s = fit(s, w)
	if n := utf8.RuneCountInString(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
