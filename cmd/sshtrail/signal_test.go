package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMStopsImport: a running import stops soon after SIGTERM,
// exits non-zero saying "interrupted", and a re-run completes the index to
// exactly the count of a clean import.
func TestSIGTERMStopsImport(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	writeAuthLog(t, log, 60000)
	want := importCount(t, bin, filepath.Join(dir, "clean"), log)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		idx := filepath.Join(dir, "stopped-"+sig.String())
		cmd := exec.Command(bin, "--index", idx, "import", "--json", log)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		cmd.Process.Signal(sig)
		t0 := time.Now()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: import still running 10 s after the signal", sig)
		}
		took := time.Since(t0)
		t.Logf("%v: exited %.2fs after the signal: %v", sig, took.Seconds(), err)
		// The requirement is 1 s; the test only catches hangs (2 cores
		// shared by other test runs).
		if took > 3*time.Second {
			t.Fatalf("%v: exit took %s", sig, took)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() == 0 || !strings.Contains(stderr.String(), "interrupted") {
			t.Fatalf("%v: exit %v, stderr %q", sig, err, stderr.String())
		}
		if n := searchCount(t, bin, idx); n == 0 || n >= want {
			t.Fatalf("%v: %d events committed before the stop (clean import: %d)", sig, n, want)
		}
		if got := importCount(t, bin, idx, log); got != want {
			t.Fatalf("%v: after the stop and a re-run: %d events, want %d", sig, got, want)
		}
	}
}

// TestImportSkipsSpecialFiles: a FIFO in a case folder does not hang the
// import and is named; named directly it (and /dev/zero) is refused at once.
func TestImportSkipsSpecialFiles(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cs := filepath.Join(dir, "case")
	os.Mkdir(cs, 0o700)
	writeAuthLog(t, filepath.Join(cs, "auth.log"), 2000)
	fifo := filepath.Join(cs, "auth.log.pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	idx := filepath.Join(dir, "idx")
	run := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, bin, append([]string{"--index", idx, "import"}, args...)...).CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("import %v hung", args)
		}
		return string(out), err
	}
	out, err := run(cs)
	if err != nil || !strings.Contains(out, "special     "+fifo+" (fifo)") || !strings.Contains(out, "files         1 read") {
		t.Fatalf("folder with a FIFO: %v\n%s", err, out)
	}
	for _, args := range [][]string{{fifo}, {"--format", "authlog", "/dev/zero"}} {
		out, err := run(args...)
		if !strings.Contains(out, "not a regular file: not read") {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		// Exiting non-zero on a counted file error is the import command's
		// error handling (RunE), not this refusal's.
		t.Logf("%v: exit %v", args, err)
	}
}
