package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sshtrail runs the CLI in-process with its own config/index, returning stdout.
func sshtrail(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	root := newRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// hostileLog: hand-made auth.log lines whose user names carry terminal
// escapes (OSC title set + BEL, clear screen), a bidi override and a CSV
// formula, in the real sshd line shapes of the fail2ban corpus.
const hostileLog = "Mar 14 02:40:01 bastion01 sshd[4101]: Invalid user \x1b]0;pwned\x07\x1b[2J from 198.51.100.23 port 40001\n" +
	"Mar 14 02:40:02 bastion01 sshd[4101]: Failed password for invalid user \x1b]0;pwned\x07\x1b[2J from 198.51.100.23 port 40001 ssh2\n" +
	"Mar 14 02:40:03 bastion01 sshd[4102]: Invalid user adm\u202enimda from 198.51.100.23 port 40002\n" +
	"Mar 14 02:40:04 bastion01 sshd[4103]: Invalid user =HYPERLINK(\"http://x\") from 198.51.100.23 port 40003\n" +
	"Mar 14 02:41:00 bastion01 sshd[4104]: Accepted password for deploy from 198.51.100.23 port 40004 ssh2\n"

func setupHostile(t *testing.T) (map[string]string, string) {
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	os.WriteFile(log, []byte(hostileLog), 0o600)
	env := map[string]string{
		"SSHTRAIL_INDEX":  filepath.Join(dir, "idx"),
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_DATA_HOME":   filepath.Join(dir, "data"),
	}
	if _, _, err := sshtrail(t, env, "import", "--year", "2026", log); err != nil {
		t.Fatal(err)
	}
	return env, dir
}

func TestHostileContentInert(t *testing.T) {
	env, dir := setupHostile(t)
	for _, args := range [][]string{
		{"search", "*"},
		{"search", "--sessions", "*"},
		{"sessions"},
		{"pivot", "ip", "198.51.100.23"},
		{"detect"},
		{"queries", "list"},
	} {
		out, errOut, err := sshtrail(t, env, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		for _, b := range []string{"\x1b", "\x07", "\u202e"} {
			if strings.Contains(out, b) || strings.Contains(errOut, b) {
				t.Errorf("%v: raw %q reached the terminal:\n%s", args, b, out)
			}
		}
	}
	out, _, _ := sshtrail(t, env, "search", "action:invalid_user")
	if !strings.Contains(out, `\x1b]0;pwned\x07\x1b[2J`) || !strings.Contains(out, `adm\u202enimda`) {
		t.Fatalf("escaped forms not shown:\n%s", out)
	}
	// JSON keeps the exact bytes, escaped by the encoder.
	js, _, _ := sshtrail(t, env, "search", "--json", "action:invalid_user")
	if strings.Contains(js, "\x1b") {
		t.Fatal("raw ESC in JSON output")
	}
	var ev map[string]any
	json.Unmarshal([]byte(strings.SplitN(js, "\n", 2)[0]), &ev)
	if u, _ := ev["user"].(string); !strings.Contains(u, "\x1b") && !strings.Contains(u, "\u202e") && !strings.HasPrefix(u, "=") {
		t.Fatalf("JSON lost the original user: %q", u)
	}
	// CSV export neutralises the formula; the file is owner-only.
	csvPath := filepath.Join(dir, "out.csv")
	if _, _, err := sshtrail(t, env, "export", "--format", "csv", "-o", csvPath); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(csvPath)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("export mode %v", st.Mode().Perm())
	}
	f, _ := os.Open(csvPath)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows[1:] {
		if strings.Contains(r[4], "HYPERLINK") {
			found = true
			if !strings.HasPrefix(r[4], "'=") {
				t.Fatalf("formula not neutralised: %q", r[4])
			}
		}
	}
	if !found {
		t.Fatal("formula user not exported")
	}
}

func TestSavedQueryReplay(t *testing.T) {
	env, dir := setupHostile(t)
	if _, _, err := sshtrail(t, env, "queries", "save", "deploy", "user:deploy action:auth_success", "--desc", "deploy logons"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := sshtrail(t, env, "queries", "run", "deploy", "--new")
	if err != nil || !strings.Contains(errOut, "first run") {
		t.Fatalf("first run: %v %s %s", err, out, errOut)
	}
	// The next batch of logs: one more deploy logon, one other.
	more := filepath.Join(dir, "auth.log.more")
	os.WriteFile(more, []byte("Mar 15 09:00:00 db02 sshd[5001]: Accepted publickey for deploy from 10.0.1.10 port 50000 ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k\n"+
		"Mar 15 09:01:00 db02 sshd[5002]: Accepted publickey for alice from 10.0.5.21 port 50001 ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k\n"), 0o600)
	if _, _, err := sshtrail(t, env, "import", "--year", "2026", more); err != nil {
		t.Fatal(err)
	}
	out, _, err = sshtrail(t, env, "queries", "run", "deploy", "--new", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Then int `json:"count_then"`
		Now  int `json:"count_now"`
		New  int `json:"new_count"`
		Hits []struct {
			Host string `json:"host"`
		} `json:"new"`
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if o.Then != 1 || o.Now != 2 || o.New != 1 || len(o.Hits) != 1 || o.Hits[0].Host != "db02" {
		t.Fatalf("run --new: %s", out)
	}
	md, _, err := sshtrail(t, env, "queries", "replay", "--markdown")
	if err != nil || !strings.Contains(md, "| deploy | events | 2 | 2 | 0 |") {
		t.Fatalf("replay: %v\n%s", err, md)
	}
}

func FuzzConfig(f *testing.F) {
	f.Add([]byte("index: /tmp/x\ndetect:\n  thresholds:\n    brute_force_failures: 5\nassets:\n  bastion01: [10.0.1.10]\n"))
	f.Add([]byte("queries:\n  - name: a\n    query: user:root\n"))
	f.Add([]byte("detect: [1, 2\n"))
	f.Add([]byte("detect:\n  groups:\n    VCS_Server:\n      hosts: [vcs*]\n      cidrs: [10.0.0.0/33]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "config.yaml")
		os.WriteFile(p, data, 0o600)
		root := newRoot()
		// Loading, decoding the detect section and listing saved queries
		// must return errors, never panic.
		root.SetArgs([]string{"--config", p, "rules"})
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.Execute()
		root = newRoot()
		root.SetArgs([]string{"--config", p, "queries", "list"})
		root.SetOut(&out)
		root.SetErr(&out)
		root.Execute()
	})
}
