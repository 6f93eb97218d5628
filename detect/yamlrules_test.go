package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sshtrail/sshtrail/index"
)

const goodRules = `# user rules
rules:
  - id: Root_Failures
    title: root guessed
    severity: high
    technique: T1110.001
    query: 'action:auth_failure user:root'
    group_by: src_ip
    threshold: 20
    window: 10m
  - id: Drewr_Logon
    query: 'action:auth_success user:drewr'
`

func TestYAMLRulesRun(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(goodRules), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.RulesDir = dir
	cfg.Rules = []YAMLRule{{ID: "Any_Invalid", Query: "action:invalid_user", GroupBy: "host", Severity: "LOW"}}
	rs, err := AllRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rs) - len(builtins(cfg)); n != 3 {
		t.Fatalf("want 3 user rules, got %d", n)
	}
	s := storeOf(t, readLog(t, "elastic-secure-rhel7.head.log", 2017))
	fs := run(t, s, cfg, "Root_Failures", "drewr_logon", "Any_Invalid")
	if len(fs) != 2 {
		t.Fatalf("got %v", fs)
	}
	// Sorted: high before medium.
	if fs[0].Rule != "Root_Failures" || fs[0].SrcIP != "202.109.143.106" || len(fs[0].Events) != 33 || fs[0].Severity != SevHigh {
		t.Fatalf("got %+v", fs[0])
	}
	if fs[1].Rule != "Drewr_Logon" || fs[1].User != "drewr" || fs[1].SrcIP != "69.245.39.97" || fs[1].Severity != SevMedium {
		t.Fatalf("got %+v", fs[1])
	}
	// Negative: 20 within 10 minutes never happens from 116.31.116.27 (9 failures).
	for _, f := range fs {
		if f.SrcIP == "116.31.116.27" {
			t.Fatalf("got %+v", f)
		}
	}
}

func TestYAMLRuleErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"syntax", "rules:\n  - id: A\n    query: [unclosed\n", "bad.yml:2: did not find expected"},
		{"unknown key", "rules:\n  - id: A\n    qeury: x\n", `bad.yml:3: unknown key "qeury"`},
		{"bad query", "- id: A\n  query: 'user:(root'\n", "bad.yml:1: rule \"A\": query"},
		{"bad severity", "- id: A\n  query: x\n  severity: urgent\n", `bad.yml:1: rule "A": severity "urgent"`},
		{"bad window", "- id: A\n  query: x\n  window: soon\n", `window "soon"`},
		{"bad group", "- id: A\n  query: x\n  group_by: colour\n", `group_by "colour"`},
		{"bad id", "- id: 'a b'\n  query: x\n", `bad.yml:1: id "a b"`},
		{"threshold type", "- id: A\n  query: x\n  threshold: many\n", "bad.yml:3: cannot unmarshal"},
		{"not a list", "rules: 5\n", "bad.yml:1: want a list"},
		{"top key", "rulez: []\n", `bad.yml:1: unknown key "rulez"`},
		{"nested", "- id: A\n  query: {a: b}\n", "bad.yml:2: query must be a single value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileRules("bad.yml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
		})
	}
	// Shadowing a built-in and repeating an id are errors; Run reports them.
	cfg := DefaultConfig()
	cfg.Rules = []YAMLRule{{ID: "ssh_brute_force", Query: "x"}}
	if _, err := Run(t.Context(), newStore(t), cfg, nil, zeroTime); err == nil || !strings.Contains(err.Error(), "built-in") {
		t.Fatalf("got %v", err)
	}
	// Empty files hold no rules.
	for _, empty := range []string{"", "# nothing\n", "rules:\n"} {
		if rs, err := compileRules("e.yml", []byte(empty)); err != nil || len(rs) != 0 {
			t.Fatalf("%q: %v %v", empty, rs, err)
		}
	}
}

func FuzzLoadRules(f *testing.F) {
	f.Add([]byte(goodRules))
	f.Add([]byte("- id: A\n  query: 'src_ip:10.0.0.0/8 AND NOT user:root'\n  window: 1h\n"))
	f.Add([]byte("rules: [{id: X, query: '*'}]"))
	f.Add([]byte("- [1, 2]\n- &a {id: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := compileRules("fuzz.yml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, r := range rs {
			if r.ID() == "" || r.Severity().Rank() < 0 {
				t.Fatalf("bad rule %+v", r)
			}
			if _, err := index.ParseQuery(r.(*userRule).query); err != nil {
				t.Fatal(err)
			}
		}
	})
}
