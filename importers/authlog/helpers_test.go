package authlog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// fileTime is the modification time the tests give their sources, so year
// inference is reproducible.
var fileTime = time.Date(2026, time.March, 15, 12, 0, 0, 0, time.UTC)

// corpusDir finds ../shared/corpus/authlog by walking up from the package
// (it is not part of the repository: loghub and Elastic License files are
// read from there, never copied). "" when absent.
func corpusDir() string {
	dir, _ := os.Getwd()
	for {
		c := filepath.Join(dir, "shared", "corpus", "authlog")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// corpusFile returns the path of a shared corpus file or skips the test.
func corpusFile(t testing.TB, name string) string {
	t.Helper()
	d := corpusDir()
	if d == "" {
		t.Skip("shared corpus not present (../shared/corpus)")
	}
	return filepath.Join(d, name)
}

// run imports data and returns the events and stats.
func run(t testing.TB, name string, data []byte, opts importers.Options) ([]*schema.Event, importers.Stats) {
	t.Helper()
	src, err := importers.FromReader(name, bytes.NewReader(data), fileTime)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var evs []*schema.Event
	var st importers.Stats
	err = Importer{}.Import(context.Background(), src, opts, &st, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: import: %v", name, err)
	}
	return evs, st
}

func runFile(t testing.TB, path string) ([]*schema.Event, importers.Stats) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, filepath.Base(path), data, importers.Options{})
}
