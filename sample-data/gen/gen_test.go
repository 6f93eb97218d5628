package gen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/sshtrail/sshtrail/importers/all"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
)

// treeHash hashes every file under dir with its name.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		io.WriteString(h, rel+"\x00")
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func write(t *testing.T, opts Options) (string, Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Write(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestSameSeedSameBytes(t *testing.T) {
	a, sa := write(t, Options{Events: 5000, Seed: 42})
	b, sb := write(t, Options{Events: 5000, Seed: 42})
	c, _ := write(t, Options{Events: 5000, Seed: 43})
	if ha, hb := treeHash(t, a), treeHash(t, b); ha != hb {
		t.Fatalf("seed 42 twice: %s != %s", ha, hb)
	}
	if sa.Events != sb.Events || len(sa.Files) != len(sb.Files) {
		t.Fatalf("summaries differ: %+v %+v", sa, sb)
	}
	if treeHash(t, a) == treeHash(t, c) {
		t.Fatal("seeds 42 and 43 wrote the same bytes")
	}
	hash := func(f func(w io.Writer) error) string {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(buf.Bytes())
		return hex.EncodeToString(s[:])
	}
	auth := func(seed int64) string {
		return hash(func(w io.Writer) error { return WriteAuthLog(w, 3000, seed, time.Time{}) })
	}
	connLog := func(seed int64) string {
		return hash(func(w io.Writer) error { return WriteConnTSV(w, 3000, seed, time.Time{}) })
	}
	if auth(7) != auth(7) || auth(7) == auth(8) {
		t.Fatal("WriteAuthLog is not a function of its seed")
	}
	if connLog(7) != connLog(7) || connLog(7) == connLog(8) {
		t.Fatal("WriteConnTSV is not a function of its seed")
	}
}

func TestLineCounts(t *testing.T) {
	dir, sum := write(t, Options{Events: 8000, Seed: 1})
	for name, lines := range sum.Files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(data, []byte("\n")); n != lines || len(data) == 0 || data[len(data)-1] != '\n' {
			t.Errorf("%s: %d lines on disk, summary says %d", name, n, lines)
		}
	}
	for _, n := range []int{0, 1, 7, 1000, 12345} {
		var buf bytes.Buffer
		if err := WriteAuthLog(&buf, n, 3, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got := bytes.Count(buf.Bytes(), []byte("\n")); got != n {
			t.Errorf("WriteAuthLog(%d): %d lines", n, got)
		}
		buf.Reset()
		if err := WriteConnTSV(&buf, n, 3, time.Time{}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		records := 0
		for _, l := range lines {
			if !strings.HasPrefix(l, "#") {
				records++
			}
		}
		if records != n || len(lines) != n+zeekHeaderLines+1 || !strings.HasPrefix(lines[len(lines)-1], "#close\t") {
			t.Errorf("WriteConnTSV(%d): %d records in %d lines", n, records, len(lines))
		}
	}
}

func TestEveryFormat(t *testing.T) {
	_, sum := write(t, Options{Events: 3000, Seed: 5})
	want := map[string]string{
		FormatAuthLog: "/auth.log", FormatSecure: "/secure", FormatJournal: "/journal.json",
		FormatUnified: "-sshd.ndjson", FormatAuditd: "/audit.log",
		"zeek ssh.log": "zeek-core01/ssh.log", "zeek conn.log": "zeek-core01/conn.log",
		"zeek conn.json": "zeek-dmz01/conn.json", "zeek notice.log": "zeek-dmz01/notice.log",
	}
	for format, suffix := range want {
		found := false
		for name, lines := range sum.Files {
			if strings.HasSuffix(name, suffix) && lines > zeekHeaderLines+1 {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s file with records (%v)", format, sum.FileNames())
		}
	}
	if len(sum.Files) < 20 {
		t.Errorf("%d files for 20 hosts", len(sum.Files))
	}
	// One format only: every host falls back to it.
	_, only := write(t, Options{Events: 2000, Seed: 5, Formats: []string{FormatJournal}})
	if len(only.Files) != 20 {
		t.Errorf("journal only: %v", only.FileNames())
	}
	for name := range only.Files {
		if !strings.HasSuffix(name, "/journal.json") {
			t.Errorf("journal only wrote %s", name)
		}
	}
	if _, err := Write(t.TempDir(), Options{Formats: []string{"evtx"}}); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestRoundTrip imports Write's output with the real importers.
func TestRoundTrip(t *testing.T) {
	dir, sum := write(t, Options{Events: 20000, Seed: 9})
	if sum.Events < 19000 || sum.Events > 21000 {
		t.Errorf("asked for 20000 events, summary says %d", sum.Events)
	}
	store, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, err := ingest.Run(context.Background(), store, []string{dir}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Only the journal importer keeps logind's "Session N logged out" (as "other").
	for _, o := range got.Samples["other"] {
		if !strings.Contains(o, "/journal.json:") {
			t.Errorf("other: %s", o)
		}
	}
	if got.Malformed != 0 || got.Truncated != 0 || len(got.Unrecognised) != 0 || len(got.FileErrors) != 0 {
		t.Fatalf("import: malformed %d truncated %d unrecognised %v errors %v samples %v",
			got.Malformed, got.Truncated, got.Unrecognised, got.FileErrors, got.Samples)
	}
	if got.Files != len(sum.Files) {
		t.Errorf("imported %d files, wrote %d", got.Files, len(sum.Files))
	}
	if got.Events != sum.Events || got.Added != sum.Events {
		t.Errorf("imported %d events (%d added, %d ignored, per format %v); summary says %d", got.Events, got.Added, got.Ignored, got.Formats, sum.Events)
	}
	lines := 0
	for _, n := range sum.Files {
		lines += n
	}
	if ratio := float64(got.Ignored) / float64(lines); ratio < 0.08 || ratio > 0.35 {
		t.Errorf("ignored %d of %d lines (%.0f%%)", got.Ignored, lines, 100*ratio)
	}
	for _, f := range []string{index.FormatAuthlog, index.FormatJournal, index.FormatUnified, index.FormatAuditd, index.FormatZeekSSH, index.FormatZeekConn, index.FormatZeekNotice} {
		if got.Formats[f] == 0 {
			t.Errorf("no %s events", f)
		}
	}
	if got.Hosts == nil || len(got.Hosts) < 20 {
		t.Errorf("hosts: %v", got.Hosts)
	}
}
