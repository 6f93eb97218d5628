package index

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(fds)
}

// An open that fails after it opened the Bleve indexes (here: the event
// log was cut below its committed length) closes them again: no files stay
// open, and nothing blocks the next open once the log is back.
func TestFailedOpenClosesWhatItOpened(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, testEvents())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, eventsFile)
	whole, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(logPath, 10); err != nil {
		t.Fatal(err)
	}
	before := openFDs(t)
	failed := make(chan bool, 1)
	go func() {
		for i := 0; i < 3; i++ {
			if s, err := Open(dir); err == nil {
				s.Close()
				failed <- false
				return
			}
		}
		failed <- true
	}()
	select {
	case ok := <-failed:
		if !ok {
			t.Fatal("opened a store whose event log was cut")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a second failed open hangs: the first left a Bleve index open")
	}
	if after := openFDs(t); after != before {
		t.Errorf("open files: %d before the failed opens, %d after", before, after)
	}
	if err := os.WriteFile(logPath, whole, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := Open(dir)
		if err == nil {
			err = s.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("open after repair: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("open after a failed open hangs: a Bleve index was left open")
	}
}
