package main

import (
	"bufio"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillInEveryPhase SIGKILLs imports in each phase — ingest, compaction,
// the session scan, the session writes, close — on a multi-host case with
// Zeek and one without, then runs a command: events, sessions and findings
// equal a clean import's every time. A kill after the last event batch used
// to leave 0 or a few thousand of ~21k sessions, and no command repaired it.
func TestKillInEveryPhase(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	// Both above the 50k events after which import compacts.
	withZeek := filepath.Join(dir, "with-zeek")
	genCase(t, bin, withZeek, 60000, 8)
	hostOnly := filepath.Join(dir, "host-only")
	genCase(t, bin, hostOnly, 75000, 8)
	zeekDirs, _ := filepath.Glob(filepath.Join(hostOnly, "zeek-*"))
	if len(zeekDirs) == 0 {
		t.Fatal("generated case has no zeek folders")
	}
	for _, d := range zeekDirs {
		os.RemoveAll(d)
	}

	type target struct {
		phase string
		delay time.Duration // kill after up to this long in the phase
	}
	targets := []target{
		{"ingest", 4 * time.Second}, {"compact", 300 * time.Millisecond},
		{"sessions-scan", 300 * time.Millisecond}, {"sessions-write", 60 * time.Millisecond},
		{"close", 0},
	}
	then := [][]string{{"search", "--count", "*"}, {"sessions"}, {"detect"}, {"paths"}}
	r := rand.New(rand.NewSource(42))
	kills := 0
	for _, data := range []string{withZeek, hostOnly} {
		clean := filepath.Join(dir, "clean-"+filepath.Base(data))
		run(t, bin, "--index", clean, "import", data)
		want := countsOf(t, bin, clean)
		if want.sessions == 0 || want.findings == "" {
			t.Fatalf("%s: clean import %+v", filepath.Base(data), want)
		}
		for _, tg := range targets {
			n := 2
			if tg.phase == "ingest" || tg.phase == "sessions-write" {
				n = 3
			}
			for k := 0; k < n; k++ {
				idx := filepath.Join(dir, "killed", filepath.Base(data), tg.phase, string(rune('a'+k)))
				killed := killAt(t, bin, idx, data, tg.phase, time.Duration(r.Int63n(int64(tg.delay)+1)))
				if killed {
					kills++
				}
				if tg.phase == "ingest" {
					// Events are missing: the re-run adds exactly them and
					// finishes the sessions.
					run(t, bin, "--index", idx, "import", data)
				} else {
					// Every event is stored: any command finishes the rest.
					cmd := then[(k+len(tg.phase))%len(then)]
					run(t, bin, append([]string{"--index", idx}, cmd...)...)
				}
				got := countsOf(t, bin, idx)
				if got != want {
					t.Fatalf("%s, killed in %s (killed=%v): %+v, want %+v", filepath.Base(data), tg.phase, killed, got, want)
				}
				t.Logf("%s: %-14s killed=%-5v -> %d events, %d sessions, findings equal", filepath.Base(data), tg.phase, killed, got.events, got.sessions)
			}
		}
	}
	t.Logf("%d kills, every one consistent", kills)
	if kills < 20 {
		t.Fatalf("only %d imports were killed before they finished", kills)
	}
}

// killAt runs an import and SIGKILLs it delay after it announces phase. It
// reports whether the process was still running when killed.
func killAt(t *testing.T, bin, idx, data, phase string, delay time.Duration) bool {
	t.Helper()
	os.MkdirAll(filepath.Dir(idx), 0o700)
	cmd := exec.Command(bin, "--index", idx, "import", data)
	cmd.Env = append(os.Environ(), "SSHTRAIL_TRACE_PHASES=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	seen := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "phase "+phase+" ") {
			seen = true
			break
		}
	}
	if !seen {
		cmd.Wait()
		t.Fatalf("import never reached phase %s", phase)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if delay > 0 {
		time.Sleep(delay)
	}
	err = cmd.Process.Signal(syscall.SIGKILL)
	state, _ := cmd.Process.Wait()
	if err != nil || state == nil {
		return false
	}
	ws, ok := state.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
