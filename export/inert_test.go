package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/sshtrail/sshtrail/schema"
)

// hostileCells are user names an attacker can make sshd (or a forged
// syslog writer) log: terminal escapes, bidi, invalid UTF-8 and formulas.
var hostileCells = []struct{ in, want string }{
	{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},             // OSC title
	{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`}, // OSC 52 clipboard write
	{"\u009b31m", `\x9b31m`},                             // C1 CSI
	{"\x9b31m", `\x9b31m`},                               // C1 as a raw byte
	{"adm\u202enimda", `adm\u202enimda`},                 // RLO
	{"a\u2066b\u2069\u200f\u061c\ufeff", `a\u2066b\u2069\u200f\u061c\ufeff`},
	{"root\xff", `root\xff`},
	{"del\x7f", `del\x7f`},
	{"=cmd|' /C calc'!A0", `'=cmd|' /C calc'!A0`},
	{"  =1+1", `'  =1+1`},
	{"\n=1", `'\x0a=1`},
	{"\r\n@x", `'\x0d\x0a@x`},
	{"＝1+1", `'＝1+1`},
	{"＋1", `'＋1`},
	{"－1", `'－1`},
	{"＠SUM(A1)", `'＠SUM(A1)`},
	{"@x", `'@x`},
	{"+1", `'+1`},
	{"-1", `'-1`},
	{"\t=1", `'\x09=1`},
	{"\tcmd", `'\x09cmd`},
	{"\rcmd", `'\x0dcmd`},
	{"\u00a0=1", "'\u00a0=1"},
	{"\u0085=1", `'\x85=1`},
	{"two\nlines", `two\x0alines`},
	// Harmless values pass unchanged.
	{"alice", "alice"},
	{"2001:db8::1", "2001:db8::1"},
	{"[2001:db8::1]:22", "[2001:db8::1]:22"},
	{"-", "-"}, // Zeek's "no value": kept, see CSVCell
	{"a-b@c=d", "a-b@c=d"},
	{"'=1", "'=1"},
	{"José", "José"},
	{"", ""},
}

// checkInertText fails if b holds a raw control (other than the allowed
// bytes), DEL, a C1 or bidi rune, or invalid UTF-8.
func checkInertText(t *testing.T, what string, b []byte, allowed string) {
	t.Helper()
	if !utf8.Valid(b) {
		t.Errorf("%s: invalid UTF-8 in output: %q", what, b)
	}
	for _, r := range string(b) {
		if (isControl(r) && !strings.ContainsRune(allowed, r)) || isBidi(r) {
			t.Errorf("%s: raw %U in output: %q", what, r, b)
			return
		}
	}
}

func TestCSVHostileCells(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New(CSV, &buf)
	for _, c := range hostileCells {
		ev := sampleEvent()
		ev.User = c.in
		ev.Message = "Invalid user " + c.in + " from 203.0.113.9 port 40022"
		if err := w.Event(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	checkInertText(t, "csv", raw, "\n")
	if n := bytes.Count(raw, []byte("\n")); n != len(hostileCells)+1 {
		t.Errorf("%d lines for %d records: a cell spans lines", n, len(hostileCells)+1)
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range hostileCells {
		if got := rows[i+1][4]; got != c.want {
			t.Errorf("user %q: cell %q, want %q", c.in, got, c.want)
		}
		if msg := rows[i+1][len(rows[i+1])-1]; !strings.HasPrefix(msg, "Invalid user ") {
			t.Errorf("message cell %q", msg)
		}
	}
}

// unMarkdown undoes MarkdownCell the way a CommonMark renderer reads it.
func unMarkdown(s string) string {
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_{}[]()#+-.!|~$", s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var hostileMarkdown = []string{
	"![x](http://evil.example/b.png)",
	"<img src=x onerror=alert(1)>",
	"[a](javascript:alert(1))",
	"<!--",
	"<script>alert(1)</script>",
	"**bold** _em_ ~~gone~~ `code` $x$ # h",
	"a|b",
	`back\slash \[x](y)`,
	"&lt;img&gt; &amp;",
	"1. list",
	"> quote",
	"<http://evil.example>",
}

func TestMarkdownCellInert(t *testing.T) {
	for _, s := range hostileMarkdown {
		got := MarkdownCell(s)
		for _, bad := range []string{"<img", "](", "<!--", "![", "<script", "<http", "**", "~~", "$x$"} {
			if strings.Contains(got, bad) {
				t.Errorf("%q: %q survives in %q", s, bad, got)
			}
		}
		for i := 0; i < len(got); i++ {
			if (got[i] == '|' || got[i] == '`') && (i == 0 || got[i-1] != '\\') {
				t.Errorf("%q: bare %c in %q", s, got[i], got)
			}
		}
		if strings.ContainsAny(got, "<>\"") {
			t.Errorf("%q: raw HTML metacharacter in %q", s, got)
		}
		if back := unMarkdown(got); back != s {
			t.Errorf("%q: renders as %q (escaped %q)", s, back, got)
		}
	}
	if got := MarkdownCell("\x1b]0;pwned\x07\nx\u202e\xff"); got != `\x1b\]0;pwned\x07\x0ax\u202e\xff` {
		t.Errorf("controls: %q", got)
	}
	if got := MarkdownCell("alice"); got != "alice" {
		t.Errorf("plain: %q", got)
	}
}

// hostileEvent carries C1 controls and bidi runes in every text field an
// attacker reaches.
func hostileEvent() *schema.Event {
	ev := sampleEvent()
	ev.User = "\u009b31m\u202eadmin\u0085\x1b]52;c;ZXZpbA==\x07"
	ev.Command = "ls \u2066\u061c\u200e\u200f\ufeff\u2069"
	ev.Message = "Invalid user " + ev.User + " from 203.0.113.9 port 40022"
	return ev
}

func TestJSONExportsInert(t *testing.T) {
	for _, format := range []string{ECS, JSONL, Timesketch} {
		var buf bytes.Buffer
		w, _ := New(format, &buf)
		ev := hostileEvent()
		if err := w.Event(ev); err != nil {
			t.Fatal(err)
		}
		w.Session(&schema.Session{SID: "s1", User: ev.User, Host: "web01", SrcIP: "203.0.113.9"})
		w.Row(Record{Message: ev.Message, Fields: []Field{{"user", ev.User}}})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		checkInertText(t, format, buf.Bytes(), "\n")
		if bytes.Contains(buf.Bytes(), []byte{0xc2, 0x9b}) {
			t.Errorf("%s: raw C1", format)
		}
		var d map[string]any
		if err := json.Unmarshal(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0], &d); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `\u009b31m\u202eadmin\u0085`) || !strings.Contains(buf.String(), `\u2066\u061c\u200e\u200f\ufeff\u2069`) {
			t.Errorf("%s: escapes missing: %s", format, buf.String())
		}
		if d["message"] != ev.Message {
			t.Errorf("%s: message %q, want %q", format, d["message"], ev.Message)
		}
	}
}

// TestInertJSONSplitWrites feeds the same encoded JSON in every two-piece
// split: runes cut between writes must still be rewritten, and nothing
// else may change.
func TestInertJSONSplitWrites(t *testing.T) {
	js, _ := json.Marshal(map[string]string{"u": "a\u0080\u009f\u202e\u2069\ufeff\u061céé€\u00a0\u2028z\xc2"})
	var want bytes.Buffer
	InertJSON(&want).Write(js)
	for i := 0; i <= len(js); i++ {
		for j := i; j <= len(js); j++ {
			var got bytes.Buffer
			iw := InertJSON(&got)
			for _, part := range [][]byte{js[:i], js[i:j], js[j:]} {
				if n, err := iw.Write(part); n != len(part) || err != nil {
					t.Fatalf("write %d, %v", n, err)
				}
			}
			if got.String() != want.String() {
				t.Fatalf("split %d,%d: %q, want %q", i, j, got.String(), want.String())
			}
		}
	}
	checkInertText(t, "split", want.Bytes(), "")
	var back map[string]string
	if err := json.Unmarshal(want.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	var orig map[string]string
	json.Unmarshal(js, &orig)
	if back["u"] != orig["u"] {
		t.Fatalf("lossy: %q, want %q", back["u"], orig["u"])
	}
}

func FuzzCSVCell(f *testing.F) {
	for _, c := range hostileCells {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CSVCell(s)
		checkInertText(t, "cell", []byte(out), "")
		if strings.HasPrefix(out, "'") || out == "-" {
			return
		}
		r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(out, unicode.IsSpace))
		if isFormulaRune(r) {
			t.Fatalf("%q: formula left live: %q", s, out)
		}
	})
}

func FuzzMarkdownCell(f *testing.F) {
	for _, s := range hostileMarkdown {
		f.Add(s)
	}
	f.Add("\x1b]0;x\x07\u202e\xff\n")
	f.Fuzz(func(t *testing.T, s string) {
		out := MarkdownCell(s)
		checkInertText(t, "markdown", []byte(out), "")
		if strings.ContainsAny(out, "<>\"\n") {
			t.Fatalf("%q: raw HTML or newline in %q", s, out)
		}
		// What a renderer shows is s itself whenever s had nothing to
		// escape for the terminal.
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return isControl(r) || isBidi(r) }) {
			if back := unMarkdown(out); back != s {
				t.Fatalf("%q renders as %q", s, back)
			}
		}
	})
}

func FuzzInertJSON(f *testing.F) {
	f.Add("\u009b\u202eadmin\ufeff", 3)
	f.Add("é€\u00a0\u2028\xc2", 7)
	f.Add("\x7f", 1) // encoding/json writes DEL raw
	f.Fuzz(func(t *testing.T, s string, cut int) {
		js, _ := json.Marshal(s)
		cut = max(0, min(len(js), cut))
		var buf bytes.Buffer
		w := InertJSON(&buf)
		w.Write(js[:cut])
		w.Write(js[cut:])
		checkInertText(t, "json", buf.Bytes(), "")
		var back string
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatalf("%q: %v", buf.Bytes(), err)
		}
		var orig string
		json.Unmarshal(js, &orig)
		if back != orig {
			t.Fatalf("lossy: %q, want %q", back, orig)
		}
	})
}
