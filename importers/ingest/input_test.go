package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// fail2ban's sshd test log (GPL-2.0-or-later; importers/authlog/testdata/SOURCES.md).
const f2b = "../authlog/testdata/fail2ban-sshd.log"

func openStore(t *testing.T) *index.Store {
	t.Helper()
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runWithin fails the test instead of hanging when Run does not return.
func runWithin(t *testing.T, d time.Duration, s *index.Store, paths []string, opts Options) (*Summary, error) {
	t.Helper()
	type res struct {
		sum *Summary
		err error
	}
	ch := make(chan res, 1)
	go func() {
		sum, err := Run(context.Background(), s, paths, opts)
		ch <- res{sum, err}
	}()
	select {
	case r := <-ch:
		return r.sum, r.err
	case <-time.After(d):
		t.Fatalf("import of %v still running after %s", paths, d)
		return nil, nil
	}
}

// events maps id -> message of everything in the store.
func events(t *testing.T, s *index.Store) map[string]*schema.Event {
	t.Helper()
	m := map[string]*schema.Event{}
	err := s.Scan(context.Background(), func(e *schema.Event) error {
		if _, dup := m[e.ID]; dup {
			return fmt.Errorf("id %s twice", e.ID)
		}
		m[e.ID] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func has(list []string, sub ...string) bool {
	for _, s := range list {
		ok := true
		for _, w := range sub {
			ok = ok && strings.Contains(s, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// Item 4: a FIFO in a case folder or a glob is skipped and named; named
// directly it is refused; /dev/zero named directly is refused at once.
func TestSpecialFilesNeverHang(t *testing.T) {
	dir := t.TempDir()
	cs := filepath.Join(dir, "case")
	os.Mkdir(cs, 0o700)
	copyFile(t, secure, filepath.Join(cs, "auth.log"))
	fifo := filepath.Join(cs, "pipe.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	s := openStore(t)
	sum, err := runWithin(t, 10*time.Second, s, []string{cs}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 1 || sum.Added < 100 || !has(sum.SkippedSpecial, fifo, "(fifo)") || len(sum.FileErrors) != 0 {
		t.Fatalf("folder: files %d added %d special %v errors %v", sum.Files, sum.Added, sum.SkippedSpecial, sum.FileErrors)
	}
	sum, err = runWithin(t, 10*time.Second, s, []string{filepath.Join(cs, "*.log")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 1 || !has(sum.SkippedSpecial, fifo, "(fifo)") || len(sum.FileErrors) != 0 {
		t.Fatalf("glob: files %d special %v errors %v", sum.Files, sum.SkippedSpecial, sum.FileErrors)
	}
	sum, err = runWithin(t, 10*time.Second, s, []string{fifo}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 0 || !has(sum.FileErrors, fifo, "is a fifo") {
		t.Fatalf("named FIFO: files %d errors %v", sum.Files, sum.FileErrors)
	}
	// A link to the FIFO named directly is opened as given: still refused.
	ln := filepath.Join(dir, "link-to-pipe")
	os.Symlink(fifo, ln)
	sum, _ = runWithin(t, 10*time.Second, s, []string{ln}, Options{})
	if !has(sum.FileErrors, "is a fifo") {
		t.Fatalf("link to FIFO: %v", sum.FileErrors)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		sum, _ = runWithin(t, 10*time.Second, s, []string{"/dev/zero"}, Options{Format: "authlog"})
		if sum.Files != 0 || !has(sum.FileErrors, "/dev/zero", "is a device") {
			t.Fatalf("/dev/zero: files %d errors %v", sum.Files, sum.FileErrors)
		}
	}
}

// The check after open: a FIFO put where a regular file was is refused by
// the descriptor's own mode, and the open itself cannot block (O_NONBLOCK).
func TestOpenRefusesFIFOWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "p")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := importers.OpenContext(context.Background(), fifo, importers.OpenOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		var se *importers.SpecialFileError
		if !errors.As(err, &se) || se.Kind != "fifo" {
			t.Fatalf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("open of a FIFO blocked")
	}
}

// Item 12: links out of the case folder are named and not read unless
// FollowLinks; a link to a file of the folder reads that file once.
func TestLinksStayInTheCase(t *testing.T) {
	dir := t.TempDir()
	cs := filepath.Join(dir, "case")
	outside := filepath.Join(dir, "elsewhere")
	os.Mkdir(cs, 0o700)
	os.Mkdir(outside, 0o700)
	copyFile(t, secure, filepath.Join(cs, "secure"))
	// Stands in for /etc/shadow or another case's log: real lines, so
	// reading it would show.
	shadow := filepath.Join(outside, "shadow")
	copyFile(t, f2b, shadow)
	os.Symlink(shadow, filepath.Join(cs, "out-link"))
	os.Symlink("secure", filepath.Join(cs, "in-link"))

	alone := openStore(t)
	want := run(t, alone, filepath.Join(cs, "secure")).Added

	s := openStore(t)
	sum := run(t, s, cs)
	if sum.Files != 1 || sum.Added != want || !has(sum.NotFollowed, "link leaves the folder", filepath.Join(cs, "out-link")+" -> "+shadow) {
		t.Fatalf("files %d added %d (want %d) not followed %v", sum.Files, sum.Added, want, sum.NotFollowed)
	}
	for _, e := range events(t, s) {
		if e.File != filepath.Join(cs, "secure") {
			t.Fatalf("event from %s", e.File)
		}
	}
	// Globs keep to their fixed leading folder the same way.
	g := run(t, openStore(t), filepath.Join(cs, "*"))
	if g.Files != 1 || !has(g.NotFollowed, "out-link") {
		t.Fatalf("glob: files %d not followed %v", g.Files, g.NotFollowed)
	}

	f := openStore(t)
	sum, err := Run(context.Background(), f, []string{cs}, Options{FollowLinks: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 2 || sum.Added <= want || len(sum.NotFollowed) != 0 {
		t.Fatalf("--follow-links: files %d added %d not followed %v", sum.Files, sum.Added, sum.NotFollowed)
	}
	// `file` is the path actually read: the target.
	fromTarget := 0
	for _, e := range events(t, f) {
		if e.File == shadow {
			fromTarget++
		}
	}
	if fromTarget != sum.Added-want {
		t.Fatalf("%d events say %s, want %d", fromTarget, shadow, sum.Added-want)
	}
	// Named directly, a link is read as given, and under its own name.
	d := run(t, openStore(t), filepath.Join(cs, "out-link"))
	if d.Files != 1 || d.Added != sum.Added-want {
		t.Fatalf("named link: files %d added %d", d.Files, d.Added)
	}
}

// Item 5: a log imported while it grows, cut mid-line between imports,
// ends with exactly the events of one import of the whole file.
func TestGrowingFileLosesNothing(t *testing.T) {
	data, err := os.ReadFile(secure)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Options: importers.Options{Year: 2024}}
	dir := t.TempDir()
	log := filepath.Join(dir, "secure")
	// Cuts in the middle of lines (and one at a line end), as a writer
	// that has not flushed its newline leaves them. The first piece holds
	// the whole head (importers.HeadSize): a file first imported shorter
	// keeps the identity of that shorter head, so its ids differ from a
	// fresh import of the whole file (dedupe by path still holds).
	cuts := []int{importers.HeadSize + 100, len(data) / 2, bytes.IndexByte(data[len(data)*2/3:], '\n') + len(data)*2/3 + 1, len(data) * 3 / 4, len(data) - 5, len(data)}
	s := openStore(t)
	prev, added := 0, 0
	mt := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range cuts {
		f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data[prev:c])
		f.Close()
		mt = mt.Add(time.Minute)
		os.Chtimes(log, mt, mt)
		prev = c
		sum, err := Run(context.Background(), s, []string{log}, opts)
		if err != nil {
			t.Fatal(err)
		}
		midLine := data[c-1] != '\n'
		if midLine != (sum.HeldBack == 1) || midLine != has(sum.HeldBackFiles, log) {
			t.Fatalf("piece %d (cut mid-line %v): held back %d %v", i, midLine, sum.HeldBack, sum.HeldBackFiles)
		}
		added += sum.Added
	}
	whole := filepath.Join(t.TempDir(), "secure")
	os.WriteFile(whole, data, 0o600)
	w := openStore(t)
	ws, err := Run(context.Background(), w, []string{whole}, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, want := events(t, s), events(t, w)
	if added != len(want) || len(got) != len(want) {
		t.Fatalf("grown: %d events (%d added), whole file %d (%d)", len(got), added, len(want), ws.Added)
	}
	for id, e := range want {
		g, ok := got[id]
		if !ok {
			t.Fatalf("missing line %d %s", e.Line, e.Message)
		}
		if g.Message != e.Message || g.Line != e.Line {
			t.Fatalf("line %d: %q, want line %d %q", g.Line, g.Message, e.Line, e.Message)
		}
	}
}

// --complete reads a final line without its newline, and a file whose last
// line was held back is read again for it.
func TestCompleteReadsTheLastLine(t *testing.T) {
	data, _ := os.ReadFile(secure)
	data = bytes.TrimRight(data, "\n")
	log := filepath.Join(t.TempDir(), "secure")
	os.WriteFile(log, data, 0o600)
	all := bytes.Count(data, []byte{'\n'}) + 1
	s := openStore(t)
	a := run(t, s, log)
	if a.HeldBack != 1 || a.Events >= all {
		t.Fatalf("held %d, %d events of %d lines", a.HeldBack, a.Events, all)
	}
	// Unchanged and not complete: still held, still said.
	b := run(t, s, log)
	if b.Unchanged != 1 || b.HeldBack != 1 || b.Added != 0 {
		t.Fatalf("second: %+v", b)
	}
	c, err := Run(context.Background(), s, []string{log}, Options{Complete: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.HeldBack != 0 || c.Added != 1 || c.Present != a.Added {
		t.Fatalf("--complete: held %d added %d present %d", c.HeldBack, c.Added, c.Present)
	}
	// The same content gzipped is complete at its clean EOF.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	gzp := log + ".1.gz"
	os.WriteFile(gzp, gz.Bytes(), 0o600)
	d := run(t, s, gzp)
	if d.HeldBack != 0 || d.Added != 0 || d.Present != a.Added+1 {
		t.Fatalf(".gz: held %d added %d present %d", d.HeldBack, d.Added, d.Present)
	}
}

// A checkpoint written before Line existed (events counted only) still
// resumes: the grown part, and only it, is added.
func TestOldCheckpointStillResumes(t *testing.T) {
	data, _ := os.ReadFile(secure)
	cut := bytes.IndexByte(data[len(data)/2:], '\n') + len(data)/2 + 1
	log := filepath.Join(t.TempDir(), "secure")
	os.WriteFile(log, data[:cut], 0o600)
	s := openStore(t)
	a := run(t, s, log)
	key := checkpointKey(log)
	c, ok := loadCheckpoint(s, key)
	if !ok || c.Line == 0 || c.Total != a.Events {
		t.Fatalf("checkpoint %+v", c)
	}
	old, _ := json.Marshal(map[string]any{"identity": c.Identity, "prefix": c.Prefix, "events": c.Total, "done": true, "size": c.Size, "mod_time": c.ModTime})
	if err := s.SetInternal(key, old); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(data[cut:])
	f.Close()
	later := time.Now().Add(time.Hour)
	os.Chtimes(log, later, later)
	b := run(t, s, log)
	whole := run(t, openStore(t), log)
	if b.Present != a.Added || a.Added+b.Added != whole.Added {
		t.Fatalf("old checkpoint: first %d, then %d added %d present; whole %d", a.Added, b.Added, b.Present, whole.Added)
	}
}

// Item 4, cancellation: Run stops soon after ctx is cancelled, says so,
// and a re-run completes the file to exactly the clean count.
func TestCancelledImportResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 30k events three times")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	writeAuth(t, log, 30000)
	clean := run(t, openStore(t), log).Added
	s := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var sum *Summary
	var err error
	go func() {
		sum, err = Run(ctx, s, []string{log}, Options{})
		close(done)
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	t0 := time.Now()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run went on after cancel")
	}
	t.Logf("Run returned %s after cancel, %d events added", time.Since(t0), sum.Added)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "interrupted") || !sum.Interrupted {
		t.Fatalf("err %v, interrupted %v", err, sum.Interrupted)
	}
	if len(sum.FileErrors) != 0 || sum.Malformed != 0 {
		t.Fatalf("an interruption is no bad input: %v, %d malformed", sum.FileErrors, sum.Malformed)
	}
	again := run(t, s, log)
	if n := count(t, s); n != clean || sum.Added+again.Added != clean {
		t.Fatalf("after interruption and re-run: %d events (%d+%d added), clean %d", n, sum.Added, again.Added, clean)
	}
}

// Item 14: compressed files stop at MaxExpanded, with the compression named;
// the events before the cap stay.
func TestExpansionCap(t *testing.T) {
	data, _ := os.ReadFile(secure)
	dir := t.TempDir()
	var plain []byte
	for len(plain) < 5<<18 {
		plain = append(plain, data...)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(plain)
	zw.Close()
	gzp := filepath.Join(dir, "secure.gz")
	os.WriteFile(gzp, gz.Bytes(), 0o600)
	files := []string{gzp, "testdata/fail2ban-sshd-head10-repeated.log.bz2"}
	if bz, err := exec.LookPath("bzip2"); err == nil {
		raw := filepath.Join(dir, "secure-bzip2")
		os.WriteFile(raw, plain, 0o600)
		if out, err := exec.Command(bz, "-9", raw).CombinedOutput(); err != nil {
			t.Fatalf("bzip2: %v %s", err, out)
		}
		files = append(files, raw+".bz2")
	} else {
		t.Log("no bzip2 here: only the checked-in .bz2")
	}
	for _, f := range files {
		s := openStore(t)
		sum, err := runWithin(t, 60*time.Second, s, []string{f}, Options{MaxExpanded: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		kind := "gzip"
		if strings.HasSuffix(f, ".bz2") {
			kind = "bzip2"
		}
		if !has(sum.FileErrors, f, "expanded past 1 MiB ("+kind+" bomb?)") {
			t.Fatalf("%s: errors %v", f, sum.FileErrors)
		}
		// Every line before the cap, and no line cut by it.
		n := count(t, s)
		if n < 1000 || sum.Added != n {
			t.Fatalf("%s: %d events kept", f, n)
		}
		for _, e := range events(t, s) {
			if !bytes.Contains(plain, []byte(e.Message)) && !strings.Contains(f, "fail2ban") {
				t.Fatalf("%s: message %q not in the source", f, e.Message)
			}
		}
		// Under the default cap the same file is read whole.
		whole := run(t, openStore(t), f)
		if len(whole.FileErrors) != 0 || whole.Added <= n {
			t.Fatalf("%s uncapped: %v, %d events", f, whole.FileErrors, whole.Added)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"20GiB": 20 << 30, "500MiB": 500 << 20, "1.5 GiB": 3 << 29, "1MB": 1e6, "4096": 4096, "2g": 2 << 30} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1GiB", "lots", "0"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
	z := Size(importers.DefaultMaxExpanded)
	if z.String() != "20GiB" {
		t.Errorf("default prints %q", z.String())
	}
}
