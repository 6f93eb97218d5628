package tui

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
)

// Quitting while the Detections view runs the rules ends the program at
// once, and the detection's context is cancelled with it: the program's
// commands do not outlive it. This runs the real program (run, what Run
// does) with keys typed on its input.
func TestQuitDuringDetection(t *testing.T) {
	const lines = 150000 // detect takes a few seconds over them (2 cores)
	path := writeAuthLog(t, lines)
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum, err := intake.Run(context.Background(), s, []string{path}, intake.Options{})
	if err != nil || sum.Added != lines || sum.Sessions == 0 {
		t.Fatalf("import: %v %+v", err, sum)
	}

	type ended struct {
		err error
		at  time.Time
	}
	started := make(chan context.Context, 1)
	finished := make(chan ended, 1)
	runDetect = func(ctx context.Context, st *index.Store, cfg detect.Config, ids []string, since time.Time) ([]detect.Finding, error) {
		started <- ctx
		fs, err := detect.Run(ctx, st, cfg, ids, since)
		finished <- ended{err, time.Now()}
		return fs, err
	}
	defer func() { runDetect = detect.Run }()

	in, typed := io.Pipe()
	defer typed.Close()
	done := make(chan error, 1)
	go func() {
		opts := Options{Store: s, IndexDir: "x", Detect: detect.DefaultConfig()}
		done <- run(context.Background(), opts, tea.WithInput(in), tea.WithOutput(io.Discard))
	}()
	if _, err := io.WriteString(typed, "3"); err != nil { // the Detections view runs the rules
		t.Fatal(err)
	}
	var ctx context.Context
	select {
	case ctx = <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the Detections view did not start the detection")
	}
	time.Sleep(200 * time.Millisecond)
	select {
	case e := <-finished:
		t.Fatalf("the detection ended (%v) before the quit: the case is too small to test", e.err)
	default:
	}

	quitAt := time.Now()
	if _, err := io.WriteString(typed, "q"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the program did not return within 5 s of q")
	}
	took := time.Since(quitAt)
	if took > time.Second {
		t.Errorf("the program returned %v after q, want within 1 s", took)
	}
	select {
	case <-ctx.Done():
	default:
		t.Fatal("the program returned, the detection's context is not cancelled")
	}
	select {
	case e := <-finished:
		if !errors.Is(e.err, context.Canceled) {
			t.Errorf("detect.Run returned %v, want context.Canceled", e.err)
		}
		t.Logf("program returned %v after q; detect.Run returned %v after q", took.Round(time.Millisecond), e.at.Sub(quitAt).Round(time.Millisecond))
	case <-time.After(2 * time.Minute):
		t.Fatal("detect.Run did not return within 2 minutes of its context's end")
	}
	// detect.Run can return before the goroutine it starts to read the
	// lateral-movement paths (detect/engine.go, runRules) has: closing the
	// store under it panics. Wait it out before the deferred Close.
	if waitGone(t, "detect.runRules.func", time.Minute) {
		t.Log("detect.Run returned while its paths goroutine still read the store")
	}
}

// waitGone waits until no goroutine runs a function whose name holds fn;
// it reports whether one was running.
func waitGone(t *testing.T, fn string, d time.Duration) (was bool) {
	t.Helper()
	buf := make([]byte, 1<<22)
	for deadline := time.Now().Add(d); ; time.Sleep(10 * time.Millisecond) {
		if !strings.Contains(string(buf[:runtime.Stack(buf, true)]), fn) {
			return was
		}
		was = true
		if time.Now().After(deadline) {
			t.Fatalf("a goroutine in %s still runs after %v", fn, d)
		}
	}
}
