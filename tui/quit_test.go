package tui

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// pump is a small Bubble Tea runtime: Cmds run in goroutines, their
// messages come back to the test's goroutine, which alone calls Update. It
// lets a test interleave keys with a long import the way a user does.
type pump struct {
	t    *testing.T
	m    tea.Model
	msgs chan tea.Msg
	quit bool
	// views seen after each message, so a phase that lasted one frame is
	// still observed.
	seen []string
}

func newPump(t *testing.T, m tea.Model) *pump {
	return &pump{t: t, m: m, msgs: make(chan tea.Msg, 1024)}
}

func (p *pump) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { p.msgs <- cmd() }()
}

func (p *pump) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			p.exec(c)
		}
	case tea.QuitMsg:
		p.quit = true
	default:
		if p.quit {
			return // a real program reads nothing after it quit
		}
		var cmd tea.Cmd
		p.m, cmd = p.m.Update(msg)
		p.seen = append(p.seen, p.m.View())
		p.exec(cmd)
	}
}

// send delivers keys as typed.
func (p *pump) send(msgs ...tea.Msg) {
	for _, m := range msgs {
		p.handle(m)
	}
}

// until runs messages until cond holds or the program quit; false on timeout.
func (p *pump) until(cond func() bool, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for !cond() {
		if p.quit {
			return cond()
		}
		select {
		case msg := <-p.msgs:
			p.handle(msg)
		case <-deadline:
			return false
		}
	}
	return true
}

// runFor runs messages for d (or until quit).
func (p *pump) runFor(d time.Duration) {
	p.until(func() bool { return false }, d)
}

func (p *pump) model() Model { return p.m.(Model) }

// writeAuthLog writes n lines shaped like a real sshd auth.log: a brute
// force on web01, one connection (pid, source port) per four lines, and a
// successful login with its session every 25th connection.
func writeAuthLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "auth.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	base := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	users := []string{"admin", "test", "oracle", "ubuntu", "git"}
	for i := 0; i < n; i++ {
		c := i / 4
		ts := base.Add(time.Duration(i/10) * time.Second).Format(time.Stamp)
		pid, port, u := 1000+c%30000, 40000+c%20000, users[c%len(users)]
		pre := fmt.Sprintf("%s web01 sshd[%d]: ", ts, pid)
		switch {
		case i%4 == 0:
			fmt.Fprintf(w, "%sConnection from 203.0.113.9 port %d on 10.0.0.5 port 22\n", pre, port)
		case c%25 == 24 && i%4 == 1:
			fmt.Fprintf(w, "%sAccepted password for deploy from 203.0.113.9 port %d ssh2\n", pre, port)
		case c%25 == 24 && i%4 == 2:
			fmt.Fprintf(w, "%spam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)\n", pre)
		case c%25 == 24:
			fmt.Fprintf(w, "%spam_unix(sshd:session): session closed for user deploy\n", pre)
		case i%4 == 3:
			fmt.Fprintf(w, "%sConnection closed by invalid user %s 203.0.113.9 port %d [preauth]\n", pre, u, port)
		default:
			fmt.Fprintf(w, "%sFailed password for invalid user %s from 203.0.113.9 port %d ssh2\n", pre, u, port)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// startImport opens the Import view on an empty store and starts importing
// path; it returns once the first progress tick arrived.
func startImport(t *testing.T, path string) (*pump, *index.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := index.OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: s, IndexDir: "x"})
	p := newPump(t, m)
	p.send(tea.WindowSizeMsg{Width: 160, Height: 45})
	p.exec(m.Init())
	p.send(keys_("6")...)
	p.send(keys_(path)...)
	p.send(key_(tea.KeyEnter))
	if !p.model().imp.running {
		t.Fatal("import did not start")
	}
	if !p.until(func() bool { return p.model().imp.last.Events > 0 }, time.Minute) {
		t.Fatal("no import progress in a minute")
	}
	return p, s, dir
}

const quitPrompt = "An import is running ("

func TestQuitDuringImportAsks(t *testing.T) {
	const lines = 300000
	p, s, dir := startImport(t, writeAuthLog(t, lines))
	imp := p.model().imp

	// q asks; the program goes on.
	p.send(keys_("q")...)
	if v := p.model().View(); !strings.Contains(v, quitPrompt) || !strings.Contains(v, "y/n") {
		t.Fatalf("no quit prompt:\n%s", v)
	}
	// At 80x24 the prompt wraps and keeps its y/n; the screen still fits.
	p.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	v := p.model().View()
	lines80 := strings.Split(v, "\n")
	if !strings.Contains(v, "y/n") || len(lines80) > 24 {
		t.Fatalf("80x24 prompt (%d lines):\n%s", len(lines80), v)
	}
	for _, l := range lines80 {
		if lipgloss.Width(l) > 80 {
			t.Fatalf("line wider than 80: %q", l)
		}
	}
	p.send(tea.WindowSizeMsg{Width: 160, Height: 45})
	p.runFor(300 * time.Millisecond)
	if p.quit || !imp.running {
		t.Fatalf("quit %v running %v before an answer", p.quit, imp.running)
	}

	// n: back to work, the import continues.
	p.send(keys_("n")...)
	if v := p.model().View(); strings.Contains(v, quitPrompt) {
		t.Fatalf("prompt still up after n:\n%s", v)
	}
	before := imp.last.Events
	if !p.until(func() bool { return imp.last.Events > before }, time.Minute) || p.quit {
		t.Fatalf("import did not continue after n (events %d, quit %v)", imp.last.Events, p.quit)
	}

	// esc also answers no.
	p.send(keys_("q")...)
	p.send(key_(tea.KeyEsc))
	if p.model().quitAsk || p.quit {
		t.Fatal("esc did not dismiss the prompt")
	}

	// q, y: stop cleanly, rebuild, then quit.
	p.send(keys_("qy")...)
	if v := p.model().View(); !strings.Contains(v, "stopping import…") {
		t.Fatalf("no stopping notice after y:\n%s", v)
	}
	p.send(keys_("q")...) // keys while stopping change nothing
	if p.quit {
		t.Fatal("quit before the import stopped")
	}
	if !p.until(func() bool { return p.quit }, 5*time.Minute) {
		t.Fatal("program did not quit")
	}
	select {
	case <-imp.done:
	default:
		t.Fatal("program quit while the import was still running")
	}
	if imp.running {
		t.Fatal("quit before the import's done message")
	}
	sawRebuild := false
	for _, v := range p.seen {
		if strings.Contains(v, "rebuilding sessions…") {
			sawRebuild = true
		}
	}
	if !sawRebuild {
		t.Error("never showed rebuilding sessions…")
	}
	sum := imp.sum
	if sum == nil || !imp.stopped || imp.unbuilt || imp.err != "" {
		t.Fatalf("summary %+v stopped %v unbuilt %v err %q", sum, imp.stopped, imp.unbuilt, imp.err)
	}
	if sum.Added == 0 || sum.Added >= lines {
		t.Fatalf("added %d of %d: the import should have stopped part way", sum.Added, lines)
	}
	t.Logf("stopped after %d of %d lines; %d sessions", sum.Added, lines, sum.Sessions)
	if !imp.shutdown() { // what Run does; returns at once here
		t.Fatal("shutdown after a finished import")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopened: what was read is kept, and the stored sessions are those a
	// rebuild over the stored events makes.
	s2, err := index.OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ctx := context.Background()
	total, err := s2.Total(ctx)
	if err != nil || total != uint64(sum.Added) {
		t.Fatalf("store holds %d events (%v), the import added %d", total, err, sum.Added)
	}
	stored, err := s2.CountSessions(ctx, index.Query{})
	if err != nil || stored == 0 || int(stored) != sum.Sessions {
		t.Fatalf("stored sessions %d (%v), summary says %d", stored, err, sum.Sessions)
	}
	st, err := sessions.Rebuild(ctx, s2, sessions.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s2.CountSessions(ctx, index.Query{})
	if err != nil || again != stored || st.Sessions != int(stored) || st.Written != 0 || st.Deleted != 0 {
		t.Fatalf("fresh rebuild: %d sessions (%+v, %v), stored before %d", again, st, err, stored)
	}
}

// ctrl+c at the prompt is a yes; a second ctrl+c while stopping quits at
// once, and shutdown (what Run does after the program) still waits for the
// import to let go of the store.
func TestForcedQuitDuringImport(t *testing.T) {
	p, s, _ := startImport(t, writeAuthLog(t, 300000))
	imp := p.model().imp
	p.send(key_(tea.KeyCtrlC))
	if !strings.Contains(p.model().View(), quitPrompt) {
		t.Fatal("ctrl+c did not ask")
	}
	p.send(key_(tea.KeyCtrlC))
	if !p.model().quitting || p.quit {
		t.Fatal("second ctrl+c should stop the import cleanly first")
	}
	p.send(key_(tea.KeyCtrlC))
	if !p.until(func() bool { return p.quit }, 5*time.Second) {
		t.Fatal("third ctrl+c did not quit")
	}
	done := make(chan bool, 1)
	go func() { done <- imp.shutdown() }()
	select {
	case finished := <-done:
		select {
		case <-imp.read:
		default:
			t.Fatal("shutdown returned before the reading was committed")
		}
		if !finished {
			// index.Store.Scan can miss a cancellation (a chunk queued for
			// order but not for work): the rebuild then never returns.
			t.Log("the abandoned session rebuild did not return within abandonWait")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("shutdown did not return")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// Without an import, q quits at once, and ctrl+c quits from a text input.
func TestQuitWithoutImport(t *testing.T) {
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := newPump(t, New(Options{Store: s, IndexDir: "x"}))
	p.send(keys_("q")...)
	if !p.until(func() bool { return p.quit }, time.Second) {
		t.Fatal("q did not quit")
	}
	p = newPump(t, New(Options{Store: s, IndexDir: "x"}))
	p.send(keys_("6")...) // the path input has the keyboard: q is a letter
	p.send(keys_("q")...)
	if p.until(func() bool { return p.quit }, 200*time.Millisecond) {
		t.Fatal("q in the path input quit")
	}
	p.send(key_(tea.KeyCtrlC))
	if !p.until(func() bool { return p.quit }, time.Second) {
		t.Fatal("ctrl+c in the path input did not quit")
	}
}
