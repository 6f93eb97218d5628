package saved

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

const commented = `# sshtrail config for case 42
index: /cases/42/idx   # where the index lives
assets:
  bastion01: [10.0.1.10]
# saved questions
queries:
  # the one that found it
  - name: root-logins
    query: user:root action:auth_success
    target: events
    created: 2026-03-14T00:00:00Z
`

func TestPutKeepsCommentsAndKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(commented), 0o600)
	f := File{Path: path}
	if err := f.Put(Query{Name: "spray", Query: "action:invalid_user", Created: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	q, _ := f.Get("root-logins")
	q.LastCount = 3
	if err := f.Put(q); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	out := string(data)
	for _, want := range []string{"# sshtrail config for case 42", "# where the index lives", "bastion01:", "# saved questions", "# the one that found it", "name: spray", "last_count: 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("lost %q in:\n%s", want, out)
		}
	}
	qs, err := f.List()
	if err != nil || len(qs) != 2 || qs[0].Name != "root-logins" || qs[1].Target != TargetEvents {
		t.Fatalf("list: %+v %v", qs, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
	if err := f.Delete("spray"); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("spray"); err == nil {
		t.Fatal("deleted twice")
	}
}

func TestCorruptConfigRefusedUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	bad := "queries:\n  - name: a\n    query: [unclosed\n"
	os.WriteFile(path, []byte(bad), 0o600)
	f := File{Path: path}
	err := f.Put(Query{Name: "x", Query: "*"})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line") {
		t.Fatalf("want error naming file and line, got %v", err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != bad {
		t.Fatal("corrupt config was rewritten")
	}
}

func TestRunNewSinceLastRun(t *testing.T) {
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	add := func(i int, user string, ts time.Time) {
		w := s.NewWriter(0)
		w.Add(&schema.Event{ID: schema.EventID("t", int64(i), user), TS: ts, Host: "h", User: user, Action: schema.ActionAuthSuccess, Message: "Accepted password for " + user})
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	add(1, "root", base)
	add(2, "alice", base.Add(time.Minute))
	q := Query{Name: "root", Query: "user:root", Target: TargetEvents}
	ctx := context.Background()
	out, q, err := RunEvents(ctx, s, q, 10, base)
	if err != nil || out.CountNow != 1 || out.NewCount != 0 {
		t.Fatalf("first run: %+v %v", out, err)
	}
	// The next batch holds an OLDER root logon from another host: still new.
	add(3, "root", base.Add(-time.Hour))
	add(4, "root", base.Add(time.Hour))
	add(5, "bob", base.Add(time.Hour))
	out, q, err = RunEvents(ctx, s, q, 10, base)
	if err != nil || out.CountThen != 1 || out.CountNow != 3 || out.NewCount != 2 || len(out.New) != 2 {
		t.Fatalf("second run: %+v %v", out, err)
	}
	if !out.New[0].TS.Equal(base.Add(-time.Hour)) || !out.Newest.Equal(base.Add(time.Hour)) {
		t.Fatalf("new hits: %+v", out.New)
	}
	out, _, _ = RunEvents(ctx, s, q, 10, base)
	if out.NewCount != 0 {
		t.Fatalf("third run new=%d", out.NewCount)
	}
}
