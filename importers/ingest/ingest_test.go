package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/sshtrail/sshtrail/importers/all"
	"github.com/sshtrail/sshtrail/index"
)

// A real RHEL 7 /var/log/secure (elastic/beats, Apache-2.0; see
// importers/authlog/testdata/SOURCES.md).
const secure = "../authlog/testdata/elastic-secure-rhel7.head.log"

func run(t *testing.T, s *index.Store, paths ...string) *Summary {
	t.Helper()
	sum, err := Run(context.Background(), s, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func count(t *testing.T, s *index.Store) int {
	n, err := s.Total(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestImportTwiceAddsNothing(t *testing.T) {
	data, err := os.ReadFile(secure)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "secure")
	os.WriteFile(log, data, 0o600)
	s, err := index.OpenOrCreate(filepath.Join(dir, "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first := run(t, s, log)
	if first.Added == 0 || first.Added != first.Events || first.Formats["authlog"] != first.Events {
		t.Fatalf("first import: %+v", first)
	}
	n := count(t, s)
	second := run(t, s, log)
	if second.Added != 0 || second.Present != first.Added || second.Unchanged != 1 || count(t, s) != n {
		t.Fatalf("second import: added %d present %d unchanged %d", second.Added, second.Present, second.Unchanged)
	}
	// A copy under another name, and its rotated .gz, are the same events.
	cp := filepath.Join(dir, "secure-copy")
	os.WriteFile(cp, data, 0o600)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "secure.1.gz"), gz.Bytes(), 0o600)
	third := run(t, s, cp, filepath.Join(dir, "secure.1.gz"))
	if third.Added != 0 || third.Present != 2*first.Added || count(t, s) != n {
		t.Fatalf("copies: added %d present %d", third.Added, third.Present)
	}
}

func TestGrownLogImportsOnlyTheNewPart(t *testing.T) {
	data, _ := os.ReadFile(secure)
	dir := t.TempDir()
	log := filepath.Join(dir, "secure")
	// Start with the first 40 lines, then append the rest.
	cut := 0
	for i, lines := 0, 0; i < len(data); i++ {
		if data[i] == '\n' {
			lines++
			if lines == 40 {
				cut = i + 1
				break
			}
		}
	}
	os.WriteFile(log, data[:cut], 0o600)
	s, _ := index.OpenOrCreate(filepath.Join(dir, "idx"))
	defer s.Close()
	a := run(t, s, log)
	f, _ := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(data[cut:])
	f.Close()
	// Make sure the mtime differs even on coarse clocks.
	later := time.Now().Add(time.Minute)
	os.Chtimes(log, later, later)
	b := run(t, s, log)
	whole := filepath.Join(t.TempDir(), "secure")
	os.WriteFile(whole, data, 0o600)
	s2, _ := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx2"))
	defer s2.Close()
	c := run(t, s2, whole)
	if a.Added+b.Added != c.Added || b.Present != a.Added || count(t, s) != count(t, s2) {
		t.Fatalf("grown: first %d, then %d added (%d present); whole file %d", a.Added, b.Added, b.Present, c.Added)
	}
}

func TestBadInputCountedNotFatal(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile(secure)
	// A truncated gzip, binary junk and an unreadable file beside a good one.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "a-cut.gz"), gz.Bytes()[:gz.Len()/2], 0o600)
	os.WriteFile(filepath.Join(dir, "b-junk.bin"), []byte("\x00\x01\x02\xff\xfe garbage \x00\n\x7fELF\x02\x01"), 0o600)
	os.WriteFile(filepath.Join(dir, "c-secure"), data, 0o600)
	os.WriteFile(filepath.Join(dir, "d-locked"), data, 0o000)
	os.Symlink(dir, filepath.Join(dir, "loop")) // a symlink loop must not hang
	s, _ := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	defer s.Close()
	sum := run(t, s, dir)
	good := run(t, s, filepath.Join(dir, "c-secure"))
	if sum.Added == 0 || good.Added != 0 {
		t.Fatalf("good file not fully imported alongside bad ones: %+v / %+v", sum, good)
	}
	if len(sum.Unrecognised) != 1 || len(sum.FileErrors) == 0 {
		t.Fatalf("want 1 unrecognised and file errors reported: %v / %v", sum.Unrecognised, sum.FileErrors)
	}
}

// TestGzipBombStopsThatFileOnly: a file that inflates past 1000:1 stops with
// a clear error and the import goes on with the other files.
func TestGzipBombStopsThatFileOnly(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	// A valid syslog first line so the bomb is sniffed as an auth log, then
	// 200 MiB of one repeated byte.
	zw.Write([]byte("Mar 14 02:40:01 bastion01 sshd[4101]: Invalid user admin from 198.51.100.23 port 40001\n"))
	chunk := bytes.Repeat([]byte{'A'}, 1<<20)
	for i := 0; i < 200; i++ {
		zw.Write(chunk)
	}
	zw.Close()
	os.WriteFile(filepath.Join(dir, "a-bomb.log.gz"), gz.Bytes(), 0o600)
	data, _ := os.ReadFile(secure)
	os.WriteFile(filepath.Join(dir, "b-secure"), data, 0o600)
	s, _ := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	defer s.Close()
	sum := run(t, s, dir)
	bomb := false
	for _, e := range sum.FileErrors {
		if strings.Contains(e, "a-bomb.log.gz") && strings.Contains(e, "1000:1") {
			bomb = true
		}
	}
	if !bomb {
		t.Fatalf("no bomb error in %v", sum.FileErrors)
	}
	if sum.Formats["authlog"] < 100 {
		t.Fatalf("the good file was not imported: %+v", sum.Formats)
	}
}

func TestUnreadableFileReported(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "locked"), []byte("x"), 0o000)
	data, _ := os.ReadFile(secure)
	os.WriteFile(filepath.Join(dir, "secure"), data, 0o600)
	s, _ := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	defer s.Close()
	sum := run(t, s, dir)
	if len(sum.FileErrors) != 1 || !strings.Contains(sum.FileErrors[0], "locked") || sum.Added == 0 {
		t.Fatalf("%v / %d added", sum.FileErrors, sum.Added)
	}
}
