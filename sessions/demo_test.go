package sessions

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sshtrail/sshtrail/importers"
	importrun "github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/schema"
)

// The demo case (sample-data/case, story and expected results in
// sample-data/README.md) imported with the real pipeline and the case's
// config, as `sshtrail import --year 2026` does. Sessions per host follow
// from the story: bastion01 = 10 alice + 20 deploy (CI) + 48 guesses + the
// intrusion; db02 = 10 alice + postgres; build07 = 10 bob + root; macdev01
// = 5 carol + deploy; vcs01 = 10 bob + the Zeek-only 03:40 logon.
func TestDemoCase(t *testing.T) {
	dir := filepath.Join("..", "..", "sample-data", "case")
	cfgBytes, err := os.ReadFile(filepath.Join(dir, "sshtrail.yaml"))
	if err != nil {
		t.Skipf("demo case not present: %v", err)
	}
	var cfg struct {
		Assets   map[string][]string `yaml:"assets"`
		Sessions struct {
			Skew string `yaml:"skew"`
		} `yaml:"sessions"`
	}
	if err := yaml.Unmarshal(cfgBytes, &cfg); err != nil {
		t.Fatal(err)
	}
	skew, err := time.ParseDuration(cfg.Sessions.Skew)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := openStore(t)
	sum, err := importrun.Run(ctx, st, []string{dir}, importrun.Options{Options: importers.Options{Year: 2026}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 987 {
		t.Fatalf("events = %d, want 987 (README)", sum.Added)
	}
	stats, err := Rebuild(ctx, st, Options{Skew: skew, Assets: cfg.Assets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := List(ctx, st, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sessions != 118 || len(ss) != 118 {
		t.Errorf("sessions = %d stored %d, want 118", stats.Sessions, len(ss))
	}
	perHost := map[string]int{}
	for _, s := range ss {
		perHost[s.Host]++
	}
	want := map[string]int{"bastion01": 79, "db02": 11, "build07": 11, "macdev01": 6, "vcs01": 11}
	for h, n := range want {
		if perHost[h] != n {
			t.Errorf("%s: %d sessions, want %d", h, perHost[h], n)
		}
	}
	if len(perHost) != len(want) {
		t.Errorf("hosts = %v", perHost)
	}

	// Every host-log session of the case was also seen by a Zeek sensor.
	for _, s := range ss {
		if !slices.Contains(s.Sources, schema.FormatZeekSSH) || !slices.Contains(s.Sources, schema.FormatZeekConn) {
			t.Errorf("%s %s@%s %s: sources %v, want Zeek too", s.Start.Format(time.DateTime), s.User, s.Host, s.SrcIP, s.Sources)
		}
	}
	guesses := find(ss, func(s schema.Session) bool { return s.SrcIP == "198.51.100.23" && s.Outcome == schema.OutcomeFailure })
	if len(guesses) != 48 {
		t.Errorf("guessing connections = %d, want 48", len(guesses))
	}
	in := find(ss, func(s schema.Session) bool { return s.SrcIP == "198.51.100.23" && s.Outcome == schema.OutcomeSuccess })
	if len(in) != 1 {
		t.Fatalf("intrusion logons = %d", len(in))
	}
	intr := in[0]
	if intr.Host != "bastion01" || intr.User != "deploy" || intr.Method != "password" || intr.SrcPort != 52814 ||
		intr.DstIP != "203.0.113.10" || intr.End.Format(time.TimeOnly) != "04:04:22" ||
		!slices.Equal(intr.Sources, []string{"authlog", "auditd", "zeek_ssh", "zeek_conn"}) {
		t.Errorf("intrusion = %+v", intr)
	}
	var sawShadow, sawTunnel bool
	for _, c := range intr.Commands {
		sawShadow = sawShadow || strings.Contains(c, "/etc/shadow")
		sawTunnel = sawTunnel || strings.Contains(c, "13389:10.0.9.5:3389")
	}
	if !sawShadow || !sawTunnel {
		t.Errorf("intrusion commands = %q", intr.Commands)
	}
	pg := find(ss, func(s schema.Session) bool { return s.User == "postgres" })
	if len(pg) != 1 || pg[0].Host != "db02" || pg[0].Parent != intr.SID || pg[0].SrcIP != "10.0.1.10" {
		t.Fatalf("postgres = %+v", pg)
	}
	wiped := find(ss, func(s schema.Session) bool { return s.Host == "vcs01" && s.Start.Day() == 14 })
	if len(wiped) != 1 || !slices.Equal(wiped[0].Sources, []string{"zeek_ssh", "zeek_conn"}) || wiped[0].Parent != pg[0].SID ||
		wiped[0].Outcome != schema.OutcomeSuccess {
		t.Errorf("vcs01 Zeek-only = %+v", wiped)
	}

	paths, err := AllPaths(ctx, st, 1)
	if err != nil {
		t.Fatal(err)
	}
	var attack []string
	daily := 0
	for _, p := range paths {
		s := p.String()
		switch {
		case strings.HasPrefix(s, "198.51.100.23 "):
			attack = append(attack, s)
		case p.Origin == "10.0.5.21" && p.Hops == 1 && p.Sessions[0].User == "alice" && p.Sessions[1].Host == "db02":
			daily++
		default:
			t.Errorf("unexpected path %s", s)
		}
	}
	wantAttack := []string{
		"198.51.100.23 → bastion01 (deploy, 02:41) → db02 (postgres, 03:02) → build07 (root, 03:15)",
		"198.51.100.23 → bastion01 (deploy, 02:41) → db02 (postgres, 03:02) → vcs01 (03:40)",
		"198.51.100.23 → bastion01 (deploy, 02:41) → macdev01 (deploy, 03:20)",
	}
	if daily != 10 || !slices.Equal(attack, wantAttack) {
		t.Errorf("paths: %d daily (want 10), attack:\n%s", daily, strings.Join(attack, "\n"))
	}
}
