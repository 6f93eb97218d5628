package termtext

import (
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"ok ascii", "ok ascii"},
		{"é", "é"},
		{"Jörg 日本", "Jörg 日本"},
		{"\xff", `\xff`},
		{"a\xc3", `a\xc3`}, // a cut two-byte rune
		{"\x1b]0;pwned\x07\x1b[2J", `\x1b]0;pwned\x07\x1b[2J`},
		{"tab\there\nnl\r", `tab\x09here\x0anl\x0d`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b31m", `csi\x9b31m`}, // single-rune C1 CSI
		{"adm\u202enimda", `adm\u202enimda`},
		{"\u061c\u200e\u200f\u202a\u2066\u2069\ufeff", `\u061c\u200e\u200f\u202a\u2066\u2069\ufeff`},
		{"\u00a0nbsp", "\u00a0nbsp"}, // printable, kept
	} {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFitPad(t *testing.T) {
	for _, c := range []struct {
		in       string
		w        int
		fit, pad string
	}{
		{"root", 8, "root", "root    "},
		{"root", 4, "root", "root"},
		{"deploy", 4, "dep…", "dep…"},
		{"deploy", 1, "…", "…"},
		{"deploy", 0, "", ""},
		{"deploy", -3, "", ""},
		{"", 3, "", "   "},
		{"日本語テキスト", 4, "日本語…", "日本語…"},
		{"\x1b[2J", 6, `\x1b[…`, `\x1b[…`}, // cut after escaping: never half an escape's byte
		{"\x1b", 6, `\x1b`, `\x1b  `},
	} {
		if got := Fit(c.in, c.w); got != c.fit {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.fit)
		}
		if got := Pad(c.in, c.w); got != c.pad {
			t.Errorf("Pad(%q, %d) = %q, want %q", c.in, c.w, got, c.pad)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"ok", "\x1b[2J", "adm\u202enimda", "\xff\xfe", "csi\u009b"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, w int) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidi(r) {
				t.Fatalf("Sanitize(%q) = %q: raw %U", s, out, r)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize(Sanitize(%q)) = %q, not %q: escaped text must pass unchanged", s, again, out)
		}
		w = w % 200
		if n := utf8.RuneCountInString(Fit(s, w)); n > max(w, 0) {
			t.Fatalf("Fit(%q, %d) is %d cells", s, w, n)
		}
		if w > 0 && utf8.RuneCountInString(Pad(s, w)) != w {
			t.Fatalf("Pad(%q, %d) = %q", s, w, Pad(s, w))
		}
	})
}
