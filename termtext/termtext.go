// Package termtext makes text inert for a terminal and fits it to a
// column. Log content is partly written by the attacker (user names,
// commands, messages): whatever prints it — the workbench, the command
// line's tables — passes it through Sanitize, so there is one definition of
// "inert". Standard library only, so the command line can print without
// importing the workbench.
//
// Widths count one cell per rune, as the workbench has always done: the
// text shown is mostly host and user names, addresses and sshd messages. A
// wide rune (CJK, most emoji) takes two cells on screen, so a line holding
// one is that much longer than w.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sanitize makes log-derived text inert for a terminal: C0 and C1 controls
// (ESC, BEL, CSI...), DEL, bidirectional overrides and invalid UTF-8 are
// shown escaped (\x1b, \u202e), never written raw. The escaped forms are
// the ones the exports write, so an analyst finds the same text on screen
// and in a file. Text that needs no escaping is returned as it is.
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
		case isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isBidi: the bidirectional formatting characters that make text display
// in another order than it reads (Trojan Source, CVE-2021-42574), and the
// BOM, which some viewers treat as a zero-width joiner.
func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0xfeff
}

// Fit sanitizes s and cuts it to w cells, ending a cut text with "…".
// A width of zero or less gives "".
func Fit(s string, w int) string {
	s = Sanitize(s)
	if w <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:w-1]) + "…"
}

// Pad sanitizes and cuts s like Fit and pads it with spaces to exactly w
// cells.
func Pad(s string, w int) string {
	s = Fit(s, w)
	if n := utf8.RuneCountInString(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
