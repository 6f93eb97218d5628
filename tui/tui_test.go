package tui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/importers"
	_ "github.com/sshtrail/sshtrail/importers/all"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	sampledata "github.com/sshtrail/sshtrail/sample-data"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testdataDir is absolute: the demo tests change directory.
var testdataDir, _ = filepath.Abs("testdata")

func init() {
	// No colours in tests: any ESC byte in a view is then a leak.
	lipgloss.SetColorProfile(termenv.Ascii)
}

// demoStore imports the bundled case the way `sshtrail demo` does.
func demoStore(t *testing.T) (*index.Store, string) {
	t.Helper()
	dir := t.TempDir()
	caseDir, _, err := sampledata.Extract(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := index.OpenOrCreate(filepath.Join(dir, "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// Relative paths keep file names in views the same on every run.
	t.Chdir(dir)
	sum, err := ingest.Run(context.Background(), s, []string{"case"}, ingest.Options{Options: importers.Options{Year: sampledata.CaseYear}})
	if err != nil || sum.Added == 0 {
		t.Fatalf("import: %v %+v", err, sum)
	}
	assets := map[string][]string{"bastion01": {"10.0.1.10", "203.0.113.10"}, "db02": {"10.0.2.20"}, "build07": {"10.0.3.30"}, "macdev01": {"10.0.4.40"}, "vcs01": {"10.0.6.60"}}
	if _, err := sessions.Rebuild(context.Background(), s, sessions.Options{Assets: assets}, nil); err != nil {
		t.Fatal(err)
	}
	return s, caseDir
}

// drive feeds msgs to the model, running every Cmd it returns (and theirs)
// synchronously; timers (cursor blink) are dropped.
func drive(t testing.TB, m tea.Model, msgs ...tea.Msg) tea.Model {
	t.Helper()
	var run func(cmd tea.Cmd, depth int)
	run = func(cmd tea.Cmd, depth int) {
		if cmd == nil || depth > 20 {
			return
		}
		switch msg := execCmd(cmd).(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				run(c, depth+1)
			}
		case tea.QuitMsg:
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			run(next, depth+1)
		}
	}
	for _, msg := range msgs {
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				run(c, 0)
			}
			continue
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		run(cmd, 0)
	}
	return m
}

// execCmd runs cmd and returns its message: nil for a timer (a command
// that does not return within a second) or a cursor blink, which are not
// part of what the tests check.
func execCmd(cmd tea.Cmd) tea.Msg {
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if strings.Contains(strings.ToLower(typeName(msg)), "blink") {
			return nil
		}
		return msg
	case <-time.After(time.Second):
		return nil
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

func keys_(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

func key_(t tea.KeyType) tea.Msg { return tea.KeyMsg{Type: t} }

var durations = regexp.MustCompile(`in [0-9.]+(ns|µs|ms|s)`)

func normalise(view, caseDir string) string {
	view = strings.ReplaceAll(view, caseDir, "$CASE")
	return durations.ReplaceAllString(view, "in Xms")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name+".golden")
	if *update {
		os.MkdirAll(testdataDir, 0o755)
		os.WriteFile(path, []byte(got), 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./tui -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from golden:\n%s", name, got)
	}
}

func newDemo(t *testing.T) (tea.Model, string) {
	s, caseDir := demoStore(t)
	cfg := detect.DefaultConfig()
	m := New(Options{Store: s, IndexDir: "demo-index", Detect: cfg, Saved: saved.File{Path: filepath.Join(t.TempDir(), "config.yaml")}})
	var tm tea.Model = m
	tm = drive(t, tm, tea.WindowSizeMsg{Width: 140, Height: 40})
	tm = drive(t, tm, m.Init()())
	tm = drive(t, tm, m.countCmd()())
	return tm, caseDir
}

func TestSearchSelectPivotBack(t *testing.T) {
	m, caseDir := newDemo(t)
	golden(t, "search-initial", normalise(m.View(), caseDir))

	msgs := append([]tea.Msg{keys_("/")[0]}, keys_("user:deploy action:auth_success")...)
	msgs = append(msgs, key_(tea.KeyEnter), key_(tea.KeyDown))
	m = drive(t, m, msgs...)
	v := m.View()
	if !strings.Contains(v, "22 hits") || !strings.Contains(v, "Accepted password for deploy from 198.51.100.23") {
		t.Fatalf("query view:\n%s", v)
	}
	golden(t, "search-query", normalise(v, caseDir))
	before := normalise(v, caseDir)

	m = drive(t, m, keys_("i")...) // pivot on the source of the selected row
	v = m.View()
	if !strings.Contains(v, "search › ip 198.51.100.23") || !strings.Contains(v, "ip 198.51.100.23 — first") {
		t.Fatalf("pivot view:\n%s", v)
	}
	golden(t, "search-pivot", normalise(v, caseDir))

	// esc restores exactly where the analyst was: query, selection, scroll.
	m = drive(t, m, key_(tea.KeyEsc))
	if got := normalise(m.View(), caseDir); got != before {
		t.Fatalf("esc did not restore the view:\n%s", got)
	}
}

func TestOpenSessionAndFinding(t *testing.T) {
	m, caseDir := newDemo(t)
	m = drive(t, m, keys_("2")...)
	m = drive(t, m, key_(tea.KeyEnter))
	v := m.View()
	if !strings.Contains(v, "events from every source") {
		t.Fatalf("session view:\n%s", v)
	}
	golden(t, "session-open", normalise(v, caseDir))

	m = drive(t, m, key_(tea.KeyEsc))
	m = drive(t, m, keys_("3")...)
	v = m.View()
	if !strings.Contains(v, "SSH_Success_After_Guessing") {
		t.Fatalf("detections:\n%s", v)
	}
	m = drive(t, m, key_(tea.KeyEnter))
	v = m.View()
	if !strings.Contains(v, "evidence:") || !strings.Contains(v, "Failed password for invalid user") {
		t.Fatalf("finding:\n%s", v)
	}
	golden(t, "finding-open", normalise(v, caseDir))

	m = drive(t, m, key_(tea.KeyEsc), keys_("4")[0])
	v = m.View()
	if !strings.Contains(v, "root@build07") || !strings.Contains(v, "198.51.100.23  (2 hops)") {
		t.Fatalf("paths:\n%s", v)
	}
	golden(t, "paths", normalise(v, caseDir))
}

func TestHelpAndResize(t *testing.T) {
	m, caseDir := newDemo(t)
	m = drive(t, m, keys_("?")...)
	v := m.View()
	if !strings.Contains(v, "pivot on user") || !strings.Contains(v, "timeline") {
		t.Fatalf("help:\n%s", v)
	}
	golden(t, "help", normalise(v, caseDir))
	m = drive(t, m, keys_("?")...)
	for _, size := range [][2]int{{80, 24}, {100, 30}, {200, 60}} {
		m = drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, tab := range "123451" {
			m = drive(t, m, keys_(string(tab))...)
			v := m.View()
			lines := strings.Split(v, "\n")
			if len(lines) > size[1] {
				t.Fatalf("%dx%d tab %c: %d lines", size[0], size[1], tab, len(lines))
			}
			for _, l := range lines {
				if lipgloss.Width(l) > size[0] {
					t.Fatalf("%dx%d tab %c: line wider than the terminal: %q", size[0], size[1], tab, l)
				}
			}
		}
	}
	m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	golden(t, "search-80x24", normalise(m.View(), caseDir))
}

func TestHostileContentInert(t *testing.T) {
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := s.NewWriter(0)
	evil := "\x1b]0;pwned\x07\x1b[2J"
	w.Add(&schema.Event{ID: "e1", TS: time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC), Host: "h\u202eevil", Format: "authlog", Action: schema.ActionInvalidUser,
		Outcome: schema.OutcomeFailure, User: evil, SrcIP: "198.51.100.23", SrcPort: 4000, Message: "Invalid user " + evil + " from 198.51.100.23 port 4000\x9b31m"})
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: s, IndexDir: "x"})
	var tm tea.Model = m
	tm = drive(t, tm, tea.WindowSizeMsg{Width: 160, Height: 40}, m.Init()())
	tm = drive(t, tm, keys_("u")...) // pivot on the hostile user
	for _, v := range []string{tm.View()} {
		if strings.ContainsAny(v, "\x1b\x07\u202e\u009b") {
			t.Fatalf("raw control reached the screen: %q", v)
		}
		if !strings.Contains(v, `\x1b]0;pwned\x07\x1b[2J`) || !strings.Contains(v, `h\u202eevil`) {
			t.Fatalf("hostile text not shown escaped:\n%s", v)
		}
	}
	if Sanitize("ok ascii") != "ok ascii" || Sanitize("\xff") != `\xff` || Sanitize("é") != "é" {
		t.Fatal("Sanitize")
	}
}

// BenchmarkKeystroke times a keystroke's redraw on a large index: Update
// with the search results of a new query, then View.
//
// SSHTRAIL_BENCH_INDEX=dir runs it on an existing index instead (make bench
// points it at the 1M-line import); otherwise 200k events are built here.
func BenchmarkKeystroke(b *testing.B) {
	users := []string{"root", "admin", "alice", "bob", "deploy"}
	var s *index.Store
	var err error
	if dir := os.Getenv("SSHTRAIL_BENCH_INDEX"); dir != "" {
		if s, err = index.Open(dir); err != nil {
			b.Fatal(err)
		}
	} else {
		if s, err = index.OpenOrCreate(filepath.Join(b.TempDir(), "idx")); err != nil {
			b.Fatal(err)
		}
		w := s.NewWriter(0)
		base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 200000; i++ {
			u := users[i%len(users)]
			w.Add(&schema.Event{ID: schema.EventID("bench", int64(i), u), TS: base.Add(time.Duration(i) * time.Second), Host: "srv", Format: "authlog",
				Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: u, SrcIP: "203.0.113.9", SrcPort: 1000 + i%60000,
				Message: "Failed password for " + u + " from 203.0.113.9 port 4000 ssh2"})
		}
		if _, err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	defer s.Close()
	total, _ := s.Total(context.Background())
	m := New(Options{Store: s, IndexDir: "bench"})
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 160, Height: 45})
	sv := tm.(Model).search
	b.ResetTimer()
	var results, aggs time.Duration
	for i := 0; i < b.N; i++ {
		q := "user:" + users[i%len(users)]
		if i%3 == 2 {
			q = "*" // back to everything
		}
		// The search a keystroke (enter) starts: its first message is the
		// results page, the timeline and facets follow in a second one.
		t := time.Now()
		batch := sv.run(q)().(tea.BatchMsg)
		tm, _ = tm.Update(batch[0]())
		_ = tm.View()
		results += time.Since(t)
		t = time.Now()
		tm, _ = tm.Update(batch[1]())
		_ = tm.View()
		aggs += time.Since(t)
	}
	b.ReportMetric(float64(results.Microseconds())/1000/float64(b.N), "ms/keystroke")
	b.ReportMetric(float64(aggs.Microseconds())/1000/float64(b.N), "ms/aggregates")
	b.ReportMetric(float64(total), "events")
}
