package main

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/sshtrail/sshtrail/index"
	sampledata "github.com/sshtrail/sshtrail/sample-data"
	"github.com/sshtrail/sshtrail/tui"
)

// TestOneImportThreeWays: `sshtrail import`, `sshtrail demo` and the
// workbench's import view all run the one import operation (intake.Run),
// so the bundled case makes the same index whichever way it came in: the
// same events, the same sessions, the same findings. Each way must also
// leave its sessions done: the comparison would hide a missing rebuild if
// the first reading command had to finish it, so that is an error here.
func TestOneImportThreeWays(t *testing.T) {
	root := t.TempDir()
	env := map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(root, "config"), // no config of its own: the demo uses the case's
		"XDG_DATA_HOME":   filepath.Join(root, "data"),
		"TMPDIR":          root, // where the demo makes its temporary index
	}
	// The same files, written the way the demo writes them (file times are
	// the day the case was collected, so a year inferred from them is the
	// case's); the same zone (UTC) and the case's config for all three.
	caseDir, config, err := sampledata.Extract(filepath.Join(root, "files"))
	if err != nil {
		t.Fatal(err)
	}
	indexes := map[string]string{}

	// (a) sshtrail import, with the year the demo uses.
	indexes["import"] = filepath.Join(root, "import-index")
	if _, errOut, err := sshtrail(t, env, "--index", indexes["import"], "--config", config, "--tz", "UTC",
		"import", "--year", "2026", caseDir); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if sampledata.CaseYear != 2026 {
		t.Fatalf("the case's year is now %d: change --year above", sampledata.CaseYear)
	}

	// (b) sshtrail demo --no-tui --keep: its summary names the index.
	out, errOut, err := sshtrail(t, env, "--tz", "UTC", "demo", "--no-tui", "--keep")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	m := regexp.MustCompile(`(?m)^index\s+(\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo printed no index path:\n%s", out)
	}
	indexes["demo"] = m[1]

	// (c) the workbench's import view, driven by keys as a user does, with
	// the options `sshtrail tui` gives it.
	indexes["tui"] = filepath.Join(root, "tui-index")
	workbenchImport(t, indexes["tui"], config, caseDir)

	want := indexContents(t, env, "import", indexes["import"], config)
	if want.events == 0 || len(want.sessions) == 0 || len(want.findings) == 0 {
		t.Fatalf("import made an index without events (%d), sessions (%d) or findings (%d)",
			want.events, len(want.sessions), len(want.findings))
	}
	for _, way := range []string{"demo", "tui"} {
		got := indexContents(t, env, way, indexes[way], config)
		if got.events != want.events {
			t.Errorf("%s: %d events, import: %d", way, got.events, want.events)
		}
		diff(t, way, "event ids", got.ids, want.ids)
		diff(t, way, "sessions", got.sessions, want.sessions)
		diff(t, way, "findings", got.findings, want.findings)
	}
}

// contents is what an index holds, as the CLI shows it: lines sorted.
type contents struct {
	events   int
	ids      []string
	sessions []string // search --sessions --json
	findings []string // detect --json
}

func indexContents(t *testing.T, env map[string]string, way, dir, config string) contents {
	t.Helper()
	run := func(args ...string) string {
		t.Helper()
		args = append([]string{"--index", dir, "--config", config, "--tz", "UTC"}, args...)
		out, errOut, err := sshtrail(t, env, args...)
		if err != nil {
			t.Fatalf("%s: %v: %v\n%s", way, args, err, errOut)
		}
		if strings.Contains(errOut, "finishing the session rebuild") {
			t.Fatalf("%s: the import left its session rebuild undone: %s", way, errOut)
		}
		return out
	}
	var c contents
	n := strings.TrimSpace(run("search", "--count", "*"))
	for _, d := range n {
		if d < '0' || d > '9' {
			t.Fatalf("%s: search --count printed %q", way, n)
		}
		c.events = c.events*10 + int(d-'0')
	}
	const limit = "1000000" // more than the case holds
	idRE := regexp.MustCompile(`"id":"([^"]+)"`)
	for _, l := range lines(run("search", "--json", "--limit", limit, "*")) {
		m := idRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("%s: an event without an id: %s", way, l)
		}
		c.ids = append(c.ids, m[1])
	}
	sort.Strings(c.ids)
	if len(c.ids) != c.events {
		t.Fatalf("%s: search listed %d events, counted %d", way, len(c.ids), c.events)
	}
	c.sessions = lines(run("search", "--sessions", "--json", "--limit", limit, "*"))
	c.findings = lines(run("detect", "--json"))
	return c
}

// lines splits output into its sorted non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// diff reports the lines only one side has (sorted inputs).
func diff(t *testing.T, way, what string, got, want []string) {
	t.Helper()
	var extra, missing []string
	i, j := 0, 0
	for i < len(got) || j < len(want) {
		switch {
		case j == len(want) || i < len(got) && got[i] < want[j]:
			extra = append(extra, got[i])
			i++
		case i == len(got) || want[j] < got[i]:
			missing = append(missing, want[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	if len(extra)+len(missing) == 0 {
		return
	}
	cut := func(xs []string) []string { return xs[:min(len(xs), 5)] }
	t.Errorf("%s: %s differ from import's: %d not in import's (first: %q), %d missing (first: %q)",
		way, what, len(extra), cut(extra), len(missing), cut(missing))
}

// workbenchImport imports caseDir into a new index at dir through the
// workbench: open it as `sshtrail tui` does, switch to the Import view,
// type the path, press enter, and wait for the summary.
func workbenchImport(t *testing.T, dir, config, caseDir string) {
	t.Helper()
	a := &app{v: viper.New(), ctx: context.Background(), errOut: io.Discard}
	cfgCmd := &cobra.Command{}
	cfgCmd.Flags().String("config", config, "")
	if err := a.load(cfgCmd); err != nil {
		t.Fatal(err)
	}
	s, err := index.OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opts, err := a.workbenchOptions(s, dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &program{msgs: make(chan tea.Msg, 1024)}
	m := tui.New(opts)
	p.m = m
	p.handle(tea.WindowSizeMsg{Width: 200, Height: 50})
	p.exec(m.Init())
	p.typeText("6") // the Import view
	p.typeText(caseDir)
	p.handle(tea.KeyMsg{Type: tea.KeyEnter})
	const done = "the other views now show the new data"
	deadline := time.After(3 * time.Minute)
	for {
		v := p.m.View()
		if strings.Contains(v, done) {
			break
		}
		if strings.Contains(v, "error: ") {
			t.Fatalf("the workbench's import failed:\n%s", v)
		}
		select {
		case msg := <-p.msgs:
			p.handle(msg)
		case <-deadline:
			t.Fatalf("the workbench's import did not finish in 3 minutes:\n%s", v)
		}
	}
}

// program is the smallest Bubble Tea runtime: Cmds run in goroutines and
// their messages come back to the test's goroutine, which alone calls
// Update.
type program struct {
	m    tea.Model
	msgs chan tea.Msg
}

func (p *program) exec(cmd tea.Cmd) {
	if cmd != nil {
		go func() { p.msgs <- cmd() }()
	}
}

func (p *program) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			p.exec(c)
		}
	default:
		var cmd tea.Cmd
		p.m, cmd = p.m.Update(msg)
		p.exec(cmd)
	}
}

func (p *program) typeText(s string) {
	for _, r := range s {
		p.handle(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}
