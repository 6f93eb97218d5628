package auditd

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// importPath runs the importer over one file and returns its events and stats.
func importPath(t testing.TB, path string, opts importers.Options) ([]*schema.Event, importers.Stats) {
	t.Helper()
	src, err := importers.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var st importers.Stats
	var evs []*schema.Event
	err = Importer{}.Import(context.Background(), src, opts, &st, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, st
}

// byLine indexes events by the line of their first record.
func byLine(evs []*schema.Event) map[int64]*schema.Event {
	m := map[int64]*schema.Event{}
	for _, ev := range evs {
		m[ev.Line] = ev
	}
	return m
}

// countActions counts events per action.
func countActions(evs []*schema.Event) map[string]int {
	m := map[string]int{}
	for _, ev := range evs {
		m[ev.Action]++
	}
	return m
}

// sharedCorpus finds /work/shared/corpus/auditd by walking up from the
// package directory; tests that need it skip when it is absent.
func sharedCorpus(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "shared", "corpus", "auditd")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Skip("shared corpus not present")
		}
		dir = up
	}
}
