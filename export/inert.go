package export

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Log text is partly written by the attacker (user names, commands,
// messages). Everything this package writes must be inert wherever it ends
// up: a terminal (cat, jq, less -R), a spreadsheet, a rendered report.
// The escaped forms are the ones tui.Sanitize shows on screen (\x1b,
// \u202e), so an analyst finds the same text in the workbench and in an
// export; this package does not import tui so that reports and exports
// never depend on the UI.

// isControl: C0, DEL and C1. C1 matters as much as C0: U+009B is a
// single-rune CSI in terminals that honour 8-bit controls.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// isBidi: the bidirectional formatting characters that make text display
// in another order than it reads (Trojan Source, CVE-2021-42574), plus the
// BOM, which some viewers treat as a zero-width joiner.
func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0xfeff
}

const hexDigits = "0123456789abcdef"

// escapeInert writes s to b with controls and invalid bytes as \xNN and
// bidi runes as \uNNNN; more, when not nil, may write any other rune its
// own way and report true (the Markdown escaper uses it).
func escapeInert(b *strings.Builder, s string, more func(b *strings.Builder, r rune) bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			n = 1
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[s[i]>>4])
			b.WriteByte(hexDigits[s[i]&0xf])
		case isControl(r):
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xf])
		case isBidi(r):
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(hexDigits[(r>>shift)&0xf])
			}
		case more != nil && more(b, r):
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// plainASCII reports whether s is printable ASCII only: the common case,
// which needs no escaping at all.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// CSVCell makes one CSV cell inert for a terminal and a spreadsheet.
//
// Controls, DEL, bidi runes and invalid UTF-8 are escaped as in
// tui.Sanitize. That includes tab, CR and LF (\x09, \x0d, \x0a): cells are
// escaped rather than quoted across lines, so every record is exactly one
// line (grep, wc -l and head stay honest) and a viewer cannot be made to
// misalign rows. The escaping is a view for people, not lossless: a
// literal backslash is not doubled; the JSONL export is the lossless one.
//
// A cell a spreadsheet would evaluate gets a leading apostrophe (OWASP's
// advice for CSV injection): one whose first rune after any leading white
// space is = + - @ or their full-width forms ＝ ＋ － ＠, and one that
// starts with a tab or carriage return. A lone "-" is left alone: it is the
// "no value" placeholder of Zeek and many other logs, no spreadsheet
// evaluates a bare sign, and prefixing it would clutter every empty column.
func CSVCell(s string) string {
	formula := isFormula(s)
	if !formula && plainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	if formula {
		b.WriteByte('\'')
	}
	escapeInert(&b, s, nil)
	return b.String()
}

func isFormula(s string) bool {
	if s == "" || s == "-" {
		return false
	}
	if s[0] == '\t' || s[0] == '\r' {
		return true
	}
	r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s, unicode.IsSpace))
	return isFormulaRune(r)
}

func isFormulaRune(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// csvRow makes every cell of row inert, in place.
func csvRow(row []string) []string {
	for i, v := range row {
		row[i] = CSVCell(v)
	}
	return row
}

// MarkdownCell makes s inert as Markdown text: a table cell, a heading or a
// paragraph of a report. Every ASCII punctuation character that CommonMark
// or GitHub-flavoured Markdown gives a meaning (links, images, emphasis,
// code, tables, strikethrough, math) is backslash-escaped, so
// "![x](http://evil.example/b.png)" renders as that text and fetches
// nothing; < > & " become entities, so raw HTML (<img onerror>, <!--) and
// autolinks never form, even in renderers that pass HTML through.
// Controls, bidi runes, invalid UTF-8 and newlines are escaped as in
// CSVCell, so s stays on its table row. Rendered, the cell reads exactly
// as s (with those escapes). Not for use inside code spans, where
// backslashes are literal.
func MarkdownCell(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	escapeInert(&b, s, markdownRune)
	return b.String()
}

func markdownRune(b *strings.Builder, r rune) bool {
	switch r {
	case '<':
		b.WriteString("&lt;")
	case '>':
		b.WriteString("&gt;")
	case '&':
		b.WriteString("&amp;")
	case '"':
		b.WriteString("&quot;")
	case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '~', '$':
		b.WriteByte('\\')
		b.WriteRune(r)
	default:
		return false
	}
	return true
}

// InertJSON wraps w so that encoded JSON written through it escapes C1
// controls, DEL and bidi runes as \u0085, \u007f, \u202e... encoding/json
// escapes C0 controls and U+2028/U+2029 but writes these raw, and a
// terminal acts on them: `sshtrail search --json` or `jq` of an export would then run
// attacker text as terminal commands or reorder what the analyst reads.
// The rewrite is exact and lossless: in valid JSON such runes can only
// occur inside strings, where \uXXXX decodes to the same rune.
//
// Runes split across Write calls are handled: a trailing partial sequence
// that could start one of these runes is held until the next Write. A
// well-formed JSON stream never ends inside a rune, so nothing is held
// when it ends; there is nothing to flush.
func InertJSON(w io.Writer) io.Writer { return &inertJSON{w: w} }

type inertJSON struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 prefix of a rune we may rewrite
	buf  []byte
}

// suspectLead: the lead bytes of every rune InertJSON rewrites (U+0080–
// U+009F: C2; U+061C: D8; U+200E–U+2069: E2; U+FEFF: EF).
func suspectLead(c byte) bool { return c == 0xc2 || c == 0xd8 || c == 0xe2 || c == 0xef }

func (j *inertJSON) Write(p []byte) (int, error) {
	in := p
	if len(j.tail) > 0 {
		in = append(j.tail, p...)
		j.tail = nil
	} else {
		clean := true
		for _, c := range p {
			if c == 0x7f || suspectLead(c) {
				clean = false
				break
			}
		}
		if clean {
			return j.w.Write(p)
		}
	}
	out := j.buf[:0]
	for i := 0; i < len(in); {
		c := in[i]
		if c == 0x7f {
			out = append(out, `\u007f`...)
			i++
			continue
		}
		if !suspectLead(c) {
			out = append(out, c)
			i++
			continue
		}
		if !utf8.FullRune(in[i:]) {
			j.tail = append([]byte(nil), in[i:]...)
			break
		}
		r, n := utf8.DecodeRune(in[i:])
		if (r >= 0x80 && r < 0xa0) || isBidi(r) {
			out = append(out, '\\', 'u')
			for shift := 12; shift >= 0; shift -= 4 {
				out = append(out, hexDigits[(r>>shift)&0xf])
			}
		} else {
			out = append(out, in[i:i+n]...)
		}
		i += n
	}
	j.buf = out
	if _, err := j.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
