package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
)

// readOnlyWorkbench is the workbench on the demo case opened read-only, as
// `sshtrail tui` opens it; it returns the pump and the index directory.
func readOnlyWorkbench(t *testing.T) (*pump, string) {
	t.Helper()
	s, _ := demoStore(t)
	dir := s.Dir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := index.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	m := New(Options{Store: ro, IndexDir: dir})
	// Requests from this process count here: the writer of the test runs
	// in it.
	m.env.self = -1
	t.Cleanup(func() { m.env.store.close() })
	p := newPump(t, m)
	p.send(tea.WindowSizeMsg{Width: 160, Height: 45})
	p.exec(m.Init())
	if !p.until(func() bool { return p.model().total > 0 && !p.model().search.busy }, 30*time.Second) {
		t.Fatal("the workbench did not show the case")
	}
	return p, dir
}

// A writer that waits for the index makes the workbench close its store,
// say who writes, take the store back read-only when the writer is done,
// and reload its views with the new events.
func TestWorkbenchYieldsToAWriter(t *testing.T) {
	log, err := filepath.Abs("../importers/authlog/testdata/fail2ban-sshd.log")
	if err != nil {
		t.Fatal(err)
	}
	p, dir := readOnlyWorkbench(t)
	before := p.model().total

	ctx := context.Background()
	opened := make(chan *index.Store, 1)
	go func() {
		w, err := index.OpenContext(ctx, dir, index.OpenOptions{Command: "sshtrail import"})
		if err != nil {
			t.Error(err)
			close(opened)
			return
		}
		opened <- w
	}()
	banner := "sshtrail import (pid "
	if !p.until(func() bool { return strings.Contains(p.model().View(), banner) }, 10*time.Second) {
		t.Fatalf("no banner naming the writer:\n%s", p.model().View())
	}
	v := p.model().View()
	if !strings.Contains(v, "is writing to this index; the workbench will reload when it finishes") {
		t.Fatalf("banner:\n%s", v)
	}
	var w *index.Store
	select {
	case w = <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not get the index: the workbench kept it")
	}
	if w == nil {
		t.FailNow()
	}
	if p.model().env.store.present() {
		t.Fatal("the workbench holds a store while the writer has the index")
	}
	// Keys still work and the views touch no store meanwhile: a new search
	// fails quietly under the banner instead of reading a closed store.
	p.send(keys_("/")...)
	p.send(keys_(" user:root")...)
	p.send(key_(tea.KeyEnter))
	p.runFor(300 * time.Millisecond)
	if v := p.model().View(); !strings.Contains(v, banner) || strings.Contains(v, "error:") {
		t.Fatalf("while the writer writes:\n%s", v)
	}

	sum, err := intake.Run(ctx, w, []string{log}, intake.Options{Ingest: ingest.Options{Options: importers.Options{Year: 2025}}})
	if err != nil || sum.Added == 0 {
		t.Fatalf("import beside the workbench: %v %+v", err, sum)
	}
	time.Sleep(200 * time.Millisecond)
	if p.model().env.store.present() {
		t.Fatal("the workbench reopened while the writer still held the index")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := before + uint64(sum.Added)
	if !p.until(func() bool { return !p.model().yielded && p.model().total == want }, 20*time.Second) {
		t.Fatalf("after the writer closed: yielded %v, total %d, want %d\n%s", p.model().yielded, p.model().total, want, p.model().View())
	}
	if !p.model().env.store.readOnly() {
		t.Fatal("the workbench did not take the index back read-only")
	}
	// The search view ran its query again on the new store.
	if !p.until(func() bool {
		v := p.model().View()
		return !p.model().search.busy && strings.Contains(v, fmt.Sprintf("%d events", want)) && !strings.Contains(v, banner)
	}, 20*time.Second) {
		t.Fatalf("views not reloaded:\n%s", p.model().View())
	}
	if e := p.model().search.Err(); e != "" {
		t.Fatalf("search after the reload: %s", e)
	}
}

// The workbench's own import writes through the index opened alone and
// goes back to read-only afterwards; another reader can open the index
// again then.
func TestWorkbenchImportReopensReadOnly(t *testing.T) {
	log, err := filepath.Abs("../importers/authlog/testdata/fail2ban-sshd.log")
	if err != nil {
		t.Fatal(err)
	}
	p, dir := readOnlyWorkbench(t)
	before := p.model().total
	p.send(keys_("6")...)
	p.send(keys_(log)...)
	p.send(key_(tea.KeyEnter))
	if !p.until(func() bool { return !p.model().imp.running && p.model().imp.sum != nil }, time.Minute) {
		t.Fatalf("import did not finish:\n%s", p.model().View())
	}
	added := uint64(p.model().imp.sum.Added)
	if added == 0 {
		t.Fatal("the import added nothing")
	}
	if !p.until(func() bool { return !p.model().yielded && p.model().total == before+added }, 20*time.Second) {
		t.Fatalf("after the import: total %d, want %d\n%s", p.model().total, before+added, p.model().View())
	}
	if !p.model().env.store.readOnly() {
		t.Fatal("the workbench kept the index open for writing after its import")
	}
	other, err := index.OpenReadOnly(dir)
	if err != nil {
		t.Fatalf("a reader beside the workbench after its import: %v", err)
	}
	defer other.Close()
	if n, err := other.Total(context.Background()); err != nil || n != before+added {
		t.Fatalf("the other reader counts %d (%v), want %d", n, err, before+added)
	}
}
