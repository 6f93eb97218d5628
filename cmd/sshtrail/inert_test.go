package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// inertUsers are user names as a compromised host's syslog, or any other
// writer than sshd (which strnvis-escapes most of these itself), can leave
// them: terminal escapes (OSC title, OSC 52 clipboard write), C1 controls,
// bidi overrides, DEL, Markdown/HTML that fetches or runs something when a
// report is rendered, and spreadsheet formulas.
var inertUsers = []string{
	"\x1b]0;pwned\x07",
	"\x1b]52;c;ZXZpbA==\x07",
	"\u009b31m",
	"\u0085next",
	"adm\u202enimda",
	"\u2066x\u2069\u200e\u200f\u061c\ufeff",
	"del\x7f",
	"![x](http://evil.example/b.png)",
	"<img src=x onerror=alert(1)>",
	"[a](javascript:alert(1))",
	"<!--",
	"=cmd|' /C calc'!A0",
	"＝1+1",
	"＋1",
	"－1",
	"＠SUM(A1)",
	"@x",
}

// inertSessionUser logs on, so sessions, pivots and paths carry hostile
// text too.
const inertSessionUser = "\u009broot\u202e"

func inertLog() string {
	var b strings.Builder
	for i, u := range inertUsers {
		fmt.Fprintf(&b, "Mar 14 03:03:%02d web01 sshd[%d]: Invalid user %s from 203.0.113.9 port %d\n", 10+i, 1234+i, u, 40022+i)
	}
	fmt.Fprintf(&b, "Mar 14 03:05:00 web01 sshd[1300]: Accepted password for %s from 203.0.113.9 port 40100 ssh2\n", inertSessionUser)
	fmt.Fprintf(&b, "Mar 14 03:05:00 web01 sshd[1300]: pam_unix(sshd:session): session opened for user %s(uid=0) by (uid=0)\n", inertSessionUser)
	fmt.Fprintf(&b, "Mar 14 03:09:00 web01 sshd[1300]: pam_unix(sshd:session): session closed for user %s\n", inertSessionUser)
	return b.String()
}

// setupInert makes an index with one benign event and a saved query that
// has had its baseline run, then imports the hostile log (from a file
// whose name is hostile too): the replay's "new" hits are the hostile ones.
func setupInert(t *testing.T) (env map[string]string, dir, importJSON string) {
	dir = t.TempDir()
	env = map[string]string{
		"SSHTRAIL_INDEX":  filepath.Join(dir, "idx"),
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_DATA_HOME":   filepath.Join(dir, "data"),
	}
	base := filepath.Join(dir, "base.log")
	os.WriteFile(base, []byte("Mar 14 02:00:00 web01 sshd[1000]: Invalid user guest from 198.51.100.7 port 50000\n"), 0o600)
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := sshtrail(t, env, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		return out
	}
	run("import", "--year", "2026", base)
	run("queries", "save", "invalid\u202e", "action:invalid_user")
	run("queries", "run", "invalid\u202e", "--new")
	hostile := filepath.Join(dir, "auth\u009b\u202e.log")
	os.WriteFile(hostile, []byte(inertLog()), 0o600)
	importJSON = run("import", "--json", "--year", "2026", hostile)
	return env, dir, importJSON
}

// checkInert fails if out holds a raw control (other than allowed), DEL,
// a C1 control, a bidi rune or invalid UTF-8: anything a terminal would act
// on or that would make text read in another order than it is.
func checkInert(t *testing.T, what, out, allowed string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8 in output", what)
	}
	for i, r := range out {
		bidi := r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff
		control := r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
		if bidi || (control && !strings.ContainsRune(allowed, r)) {
			t.Errorf("%s: raw %U at byte %d:\n%q", what, r, i, out[max(0, i-40):min(len(out), i+40)])
			return
		}
	}
}

func TestJSONOutputsInert(t *testing.T) {
	env, _, importJSON := setupInert(t)
	checkInert(t, "import --json", importJSON, "\n")
	for _, args := range [][]string{
		{"search", "--json", "*"},
		{"search", "--sessions", "--json", "*"},
		{"sessions", "--json"},
		{"pivot", "ip", "203.0.113.9", "--json"},
		{"pivot", "user", inertSessionUser, "--json"},
		{"pivot", "host", "web01", "--json"},
		{"paths", "--json"},
		{"detect", "--json"},
		{"queries", "list", "--json"},
		{"queries", "show", "invalid\u202e"},
		{"queries", "run", "invalid\u202e", "--json"},
		{"queries", "replay", "--json"},
		{"export", "--format", "ecs"},
		{"export", "--format", "jsonl"},
		{"export", "--format", "timesketch"},
		{"export", "--sessions", "--format", "ecs"},
		{"export", "--findings", "--format", "timesketch"},
	} {
		out, errOut, err := sshtrail(t, env, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		if args[0] != "paths" && strings.TrimSpace(out) == "" {
			t.Errorf("%v: no output", args)
		}
		checkInert(t, fmt.Sprint(args), out, "\n")
		checkInert(t, fmt.Sprint(args, " stderr"), errOut, "\n")
	}

	// Lossless: every hostile name comes back from search --json exactly.
	out, _, _ := sshtrail(t, env, "search", "--json", "--limit", "1000", "*")
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ev struct{ User, Message string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		seen[ev.User] = true
		if ev.User != "" && ev.User != "guest" && !strings.Contains(ev.Message, ev.User) {
			t.Errorf("message %q lost user %q", ev.Message, ev.User)
		}
	}
	for _, u := range append(inertUsers, inertSessionUser) {
		if !seen[u] {
			t.Errorf("user %q not given back exactly by search --json", u)
		}
	}
	if !strings.Contains(out, `\u009b31m`) || !strings.Contains(out, `adm\u202enimda`) {
		t.Errorf("escaped forms missing from search --json")
	}
}

func TestExportCSVInert(t *testing.T) {
	env, _, _ := setupInert(t)
	for _, args := range [][]string{
		{"export", "--format", "csv"},
		{"export", "--sessions", "--format", "csv"},
		{"export", "--findings", "--format", "csv"},
	} {
		out, errOut, err := sshtrail(t, env, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		checkInert(t, fmt.Sprint(args), out, "\n")
		if _, err := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil {
			t.Errorf("%v: %v", args, err)
		}
	}
	out, _, _ := sshtrail(t, env, "export", "--format", "csv")
	rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	if len(rows) < 2 || rows[0][4] != "user" {
		t.Fatalf("header: %v", rows)
	}
	users := map[string]bool{}
	for _, r := range rows[1:] {
		users[r[4]] = true
	}
	for _, want := range []string{
		`\x1b]0;pwned\x07`, `\x1b]52;c;ZXZpbA==\x07`, `\x9b31m`, `adm\u202enimda`, `del\x7f`,
		`'=cmd|' /C calc'!A0`, `'＝1+1`, `'＋1`, `'－1`, `'＠SUM(A1)`, `'@x`, "guest",
	} {
		if !users[want] {
			t.Errorf("no user cell %q in %v", want, users)
		}
	}
}

func TestExportTightensMode(t *testing.T) {
	env, dir, _ := setupInert(t)
	loose := filepath.Join(dir, "loose.csv")
	os.WriteFile(loose, []byte("old case data\n"), 0o600)
	os.Chmod(loose, 0o644) // whatever the umask
	_, errOut, err := sshtrail(t, env, "export", "--format", "csv", "-o", loose)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(loose); st.Mode().Perm() != 0o600 {
		t.Errorf("existing 0644 export left %v", st.Mode().Perm())
	}
	if want := "tightened " + loose + " from 0644 to 0600"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	if b, _ := os.ReadFile(loose); bytes.Contains(b, []byte("old case data")) || !bytes.HasPrefix(b, []byte("ts,host,")) {
		t.Errorf("not overwritten: %q", b)
	}
	// Already owner-only, or new: nothing to say.
	for _, p := range []string{loose, filepath.Join(dir, "new.ndjson")} {
		_, errOut, err = sshtrail(t, env, "export", "--format", "ecs", "-o", p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(errOut, "tightened") {
			t.Errorf("%s: %q", p, errOut)
		}
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", p, st.Mode().Perm())
		}
	}
}

func TestReplayMarkdownInert(t *testing.T) {
	env, _, _ := setupInert(t)
	md, errOut, err := sshtrail(t, env, "queries", "replay", "--markdown")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	checkInert(t, "replay --markdown", md, "\n")
	for _, bad := range []string{"<img", "](", "<!--", "![", "<script", "javascript:alert(1))"} {
		if strings.Contains(md, bad) {
			t.Errorf("%q survives in the report:\n%s", bad, md)
		}
	}
	// Still readable: the names are there, escaped the CommonMark way.
	for _, want := range []string{
		`\!\[x\]\(http://evil\.example/b\.png\)`,
		`&lt;img src=x onerror=alert\(1\)&gt;`,
		`\[a\]\(javascript:alert\(1\)\)`,
		`&lt;\!\-\-`,
		`\x1b\]0;pwned\x07`,
		`adm\u202enimda`,
		`=cmd\|' /C calc'\!A0`, // = means nothing in Markdown
		`## invalid\u202e`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	// No cell breaks out of its table row: every hit row has 7 bare pipes.
	hits := 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "| 2026-") {
			continue
		}
		hits++
		if n := strings.Count(line, "|") - strings.Count(line, `\|`); n != 7 {
			t.Errorf("%d bare pipes in %q", n, line)
		}
	}
	if hits != len(inertUsers) {
		t.Errorf("%d hit rows, want %d:\n%s", hits, len(inertUsers), md)
	}
}
