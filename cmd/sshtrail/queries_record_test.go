package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/saved"
)

// A run's results go into the query as it is in the file when the run
// ends: a save or delete made while it ran is never undone.
func TestRecordRunKeepsConcurrentChanges(t *testing.T) {
	f := saved.File{Path: filepath.Join(t.TempDir(), "config.yaml")}
	created := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	put := func(q saved.Query) {
		t.Helper()
		if err := f.Put(q); err != nil {
			t.Fatal(err)
		}
	}
	put(saved.Query{Name: "root", Query: "user:root", Target: saved.TargetEvents, Created: created})
	put(saved.Query{Name: "other", Query: "action:auth_failure", Target: saved.TargetEvents, Created: created})
	ran := saved.Query{Name: "root", Query: "user:root", Target: saved.TargetEvents, Created: created,
		LastRun: created.Add(time.Hour), LastCount: 42, LastMark: 1234}

	// Unchanged meanwhile: recorded.
	var warn bytes.Buffer
	if err := recordRun(f, ran, &warn); err != nil {
		t.Fatal(err)
	}
	q, _ := f.Get("root")
	if q.LastCount != 42 || q.LastMark != 1234 || warn.Len() != 0 {
		t.Fatalf("recorded %+v, warn %q", q, warn.String())
	}

	// Re-saved with another query while it ran: the new query stays.
	put(saved.Query{Name: "root", Query: "user:root action:auth_success", Target: saved.TargetEvents, Created: created})
	ran.LastCount = 7
	if err := recordRun(f, ran, &warn); err != nil {
		t.Fatal(err)
	}
	q, _ = f.Get("root")
	if q.Query != "user:root action:auth_success" || q.LastCount == 7 || !strings.Contains(warn.String(), "not recorded") {
		t.Fatalf("after a concurrent save: %+v, warn %q", q, warn.String())
	}

	// Deleted while it ran: not brought back.
	if err := f.Delete("other"); err != nil {
		t.Fatal(err)
	}
	if err := recordRun(f, saved.Query{Name: "other", Query: "action:auth_failure", Target: saved.TargetEvents, LastCount: 3}, &warn); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get("other"); err == nil {
		t.Fatal("a deleted query came back")
	}
}
