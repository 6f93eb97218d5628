package index

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// filesOf is every file under dir with a hash of its bytes, but the
// registry of holders (which a reader writes by design).
func filesOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			if rel == holdersDir || rel == yieldDir {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// within fails the test when fn does not return in d: a write on a
// read-only scorch used to wait forever for a persister that never runs.
func within(t *testing.T, what string, d time.Duration, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
		return nil
	}
}

// A read-only store answers every question and refuses every write with
// ErrReadOnly, at once, leaving every byte of the index as it was.
func TestReadOnlyStoreRefusesWrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, testEvents())
	ctx := context.Background()
	if err := s.PutSessions(ctx, []SessionDoc{{Session: schema.Session{SID: "s1", Host: "db02", User: "alice"}, Group: "db02"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := filesOf(t, dir)

	ro, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ro.ReadOnly() {
		t.Fatal("OpenReadOnly: ReadOnly() is false")
	}
	if n, err := ro.Total(ctx); err != nil || n != 5 {
		t.Fatalf("total %d %v", n, err)
	}
	res, err := ro.Search(ctx, Query{Q: "user:alice"}, Page{Size: 10})
	if err != nil || len(res.Events) != 1 || res.Events[0].Message == "" {
		t.Fatalf("search: %v %+v", err, res)
	}
	if n, err := ro.CountSessions(ctx, Query{}); err != nil || n != 1 {
		t.Fatalf("sessions %d %v", n, err)
	}

	fresh := testEvents()
	for i, ev := range fresh {
		ev.ID = schema.EventID("other", int64(i), ev.Message)
	}
	writes := []struct {
		name string
		fn   func() error
	}{
		{"Writer", func() error {
			w := ro.NewWriter(2)
			for _, ev := range fresh {
				if err := w.Add(ev); err != nil {
					w.Close()
					return err
				}
			}
			_, err := w.Close()
			return err
		}},
		{"PutSessions", func() error {
			return ro.PutSessions(ctx, []SessionDoc{{Session: schema.Session{SID: "s2", Host: "db02"}, Group: "db02"}})
		}},
		{"DeleteSessionIDs", func() error { return ro.DeleteSessionIDs(ctx, []string{"s1"}) }},
		{"SetInternal", func() error { return ro.SetInternal("k", []byte("v")) }},
		{"MarkAllTouched", ro.MarkAllTouched},
		{"ClearTouched", func() error { return ro.ClearTouched(Touched{All: true}) }},
		{"Compact", func() error { return ro.Compact(ctx) }},
	}
	for _, w := range writes {
		err := within(t, w.name, 10*time.Second, w.fn)
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly", w.name, err)
		}
	}
	if n, err := ro.Total(ctx); err != nil || n != 5 {
		t.Fatalf("total after the refused writes %d %v", n, err)
	}
	if err := within(t, "Close", 10*time.Second, ro.Close); err != nil {
		t.Fatalf("close: %v", err)
	}
	after := filesOf(t, dir)
	for f, h := range before {
		if after[f] != h {
			t.Errorf("%s changed under a read-only store", f)
		}
	}
	for f := range after {
		if _, ok := before[f]; !ok {
			t.Errorf("%s appeared under a read-only store", f)
		}
	}

	// And the index is whole for the next writer.
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st := ingest(t, s, fresh); st.Added != 5 {
		t.Fatalf("ingest after the read-only open: %+v", st)
	}
}

// Read-only is an open of an existing index: it creates nothing.
func TestReadOnlyOpenCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	if _, err := OpenReadOnly(dir); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("missing dir: %v", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(dir); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("empty dir: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("a failed read-only open left %v", ents)
	}
	if !strings.Contains(fmt.Sprint(ErrNoIndex), "no sshtrail index") {
		t.Fatal(ErrNoIndex)
	}
}
