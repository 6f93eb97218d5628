package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sampledata "github.com/sshtrail/sshtrail/sample-data"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestDemoCase imports the bundled case the way `sshtrail demo` does and
// pins what an analyst should find: event counts, the intrusion's paths,
// cross-source sessions and every finding (sample-data/README.md).
func TestDemoCase(t *testing.T) {
	dir := t.TempDir()
	caseDir, config, err := sampledata.Extract(dir)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SSHTRAIL_INDEX": filepath.Join(dir, "idx"), "XDG_CONFIG_HOME": dir}
	out, _, err := sshtrail(t, env, "--config", config, "import", "--json", "--year", "2026", caseDir)
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Events, Added, Malformed, Ignored int
		Formats                           map[string]int
		Unrecognised                      []string
	}
	json.Unmarshal([]byte(out), &sum)
	if sum.Events != 987 || sum.Added != 987 || sum.Malformed != 0 || sum.Ignored != 424 ||
		// The case's config is sniffed like every file and named, not skipped.
		len(sum.Unrecognised) != 1 || filepath.Base(sum.Unrecognised[0]) != "sshtrail.yaml" ||
		sum.Formats["authlog"] != 626 || sum.Formats["journal"] != 88 || sum.Formats["unified"] != 18 || sum.Formats["auditd"] != 14 ||
		sum.Formats["zeek_ssh"] != 118 || sum.Formats["zeek_conn"] != 121 || sum.Formats["zeek_notice"] != 2 {
		t.Fatalf("import summary: %s", out)
	}
	paths, _, err := sshtrail(t, env, "--config", config, "paths", "--min-hops", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"198.51.100.23 → bastion01 (deploy, 02:41) → db02 (postgres, 03:02) → build07 (root, 03:15)",
		"198.51.100.23 → bastion01 (deploy, 02:41) → db02 (postgres, 03:02) → vcs01 (03:40)",
		"198.51.100.23 → bastion01 (deploy, 02:41) → macdev01 (deploy, 03:20)",
	} {
		if !strings.Contains(paths, want) {
			t.Errorf("missing path %s in\n%s", want, paths)
		}
	}
	if n := strings.Count(paths, "\n"); n != 13 {
		t.Errorf("%d paths, want 13 (10 daily alice hops + 3 intrusion)", n)
	}
	// The attacker's logon is one session seen by the host log and both Zeek logs.
	js, _, err := sshtrail(t, env, "--config", config, "sessions", "--json", "--src", "198.51.100.23", "--host", "bastion01")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range strings.Split(strings.TrimSpace(js), "\n") {
		var s struct {
			User, Outcome, Method string
			Sources               []string
		}
		json.Unmarshal([]byte(l), &s)
		if s.Outcome == "success" && s.Method == "password" {
			found = true
			if s.User != "deploy" || !strings.Contains(strings.Join(s.Sources, ","), "authlog") || !strings.Contains(strings.Join(s.Sources, ","), "zeek_ssh") {
				t.Errorf("attacker session: %s", l)
			}
		}
	}
	if !found {
		t.Errorf("no successful password session from the attacker:\n%s", js)
	}
	fs, _, err := sshtrail(t, env, "--config", config, "detect", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(fs), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(l), &m)
		fmt.Fprintf(&b, "%-8s %-36s %-25s host=%v user=%v src=%v\n", m["severity"], m["rule"], m["ts"], m["host"], m["user"], m["src_ip"])
	}
	golden(t, "demo-findings.golden", b.String())
	for _, l := range strings.Split(b.String(), "\n") {
		if strings.Contains(l, "SSH_Brute_Force") || strings.Contains(l, "Password_Spraying") || strings.Contains(l, "Success_After_Guessing") {
			if !strings.Contains(l, "198.51.100.23") {
				t.Errorf("benign traffic raised a guessing finding: %s", l)
			}
		}
	}
}
