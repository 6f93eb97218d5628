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
	"github.com/sshtrail/sshtrail/schema"
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
	// Two runs of the same seed, compared: equal; another seed differs.
	if a, b := auth(7), auth(7); a != b || a == auth(8) {
		t.Fatal("WriteAuthLog is not a function of its seed")
	}
	if a, b := connLog(7), connLog(7); a != b || a == connLog(8) {
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
	// Every generated sshd line has a known form: nothing is left as "other".
	if got.Other != 0 {
		t.Errorf("%d lines kept as other: %v", got.Other, got.Samples["other"])
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
	ratio := float64(got.Ignored) / float64(lines)
	if ratio < 0.08 || ratio > 0.3 {
		t.Errorf("ignored %d of %d lines (%.0f%%)", got.Ignored, lines, 100*ratio)
	}
	t.Logf("%d lines, %d events, %d ignored (%.0f%%)", lines, got.Events, got.Ignored, 100*ratio)
	for _, f := range []string{schema.FormatAuthlog, schema.FormatJournal, schema.FormatUnified, schema.FormatAuditd, schema.FormatZeekSSH, schema.FormatZeekConn, schema.FormatZeekNotice} {
		if got.Formats[f] == 0 {
			t.Errorf("no %s events", f)
		}
	}
	if len(got.Hosts) < 20 {
		t.Errorf("hosts: %v", got.Hosts)
	}
	checkPlanted(t, store)
}

// checkPlanted finds the planted intrusion among the imported events.
func checkPlanted(t *testing.T, store *index.Store) {
	t.Helper()
	const att, web, bastion, db, win = "198.51.100.77", "10.20.1.11", "10.20.1.10", "10.20.1.12", "10.20.50.5"
	found := map[string]int{}
	err := store.Scan(context.Background(), func(ev *schema.Event) error {
		switch {
		case ev.Host == "web01" && ev.SrcIP == att && ev.Action == schema.ActionAuthFailure && ev.Format == schema.FormatAuthlog:
			found["guess"]++
		case ev.Host == "web01" && ev.SrcIP == att && ev.Action == schema.ActionAuthSuccess && ev.User == "deploy" && ev.Method == "password":
			found["guessed"]++
		case ev.Host == "bastion01" && ev.SrcIP == web && ev.Action == schema.ActionAuthSuccess && ev.User == "deploy" && ev.Method == "publickey":
			found["hop1"]++
		case ev.Host == "db01" && ev.SrcIP == bastion && ev.Action == schema.ActionAuthSuccess && ev.User == "postgres" && ev.Format == schema.FormatAuthlog:
			found["postgres"]++
		case ev.Host == "bastion01" && ev.Format == schema.FormatAuditd && strings.Contains(ev.Command, "-L 13389:"+win+":3389"):
			found["tunnel exec"]++
		case ev.Format == schema.FormatZeekConn && ev.SrcIP == db && ev.DstIP == win && ev.DstPort == 3389:
			found["rdp"]++
		case ev.Format == schema.FormatZeekNotice && ev.SrcIP == att:
			found["notice"]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"guess": 30, "guessed": 1, "hop1": 1, "postgres": 1, "tunnel exec": 1, "rdp": 1, "notice": 2}
	for k, n := range want {
		if found[k] != n {
			t.Errorf("planted %s: %d events, want %d", k, found[k], n)
		}
	}
}

// The single-file writers import cleanly too.
func TestSingleFilesImport(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC) // across New Year
	files := map[string]func(io.Writer) error{
		"auth.log": func(w io.Writer) error { return WriteAuthLog(w, 20000, 4, start) },
		"conn.log": func(w io.Writer) error { return WriteConnTSV(w, 5000, 4, start) },
	}
	for name, f := range files {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, buf.Bytes(), 0o600)
		// Dated after the last line, as a collected log is: RFC 3164 years come from it.
		mt := start.Add(2 * 24 * time.Hour)
		os.Chtimes(p, mt, mt)
	}
	store, err := index.OpenOrCreate(filepath.Join(dir, "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	got, err := ingest.Run(context.Background(), store, []string{filepath.Join(dir, "auth.log"), filepath.Join(dir, "conn.log")}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Malformed != 0 || got.Other != 0 || len(got.Unrecognised) != 0 {
		t.Fatalf("malformed %d other %d unrecognised %v samples %v", got.Malformed, got.Other, got.Unrecognised, got.Samples)
	}
	if got.Formats[schema.FormatZeekConn] != 5000 {
		t.Errorf("conn.log: %d events, want 5000", got.Formats[schema.FormatZeekConn])
	}
	if n := got.Formats[schema.FormatAuthlog] + got.Ignored; n != 20000 {
		t.Errorf("auth.log: %d events + %d ignored, want 20000 lines", got.Formats[schema.FormatAuthlog], got.Ignored)
	}
	// CRON and logind chatter, as in a real auth.log.
	if got.Ignored < 3000 || got.Ignored > 5000 {
		t.Errorf("auth.log: %d of 20000 lines ignored", got.Ignored)
	}
	var first, last time.Time
	store.Scan(context.Background(), func(ev *schema.Event) error {
		if ev.Format == schema.FormatAuthlog {
			if first.IsZero() || ev.TS.Before(first) {
				first = ev.TS
			}
			if ev.TS.After(last) {
				last = ev.TS
			}
		}
		return nil
	})
	if first.Before(start) || last.After(start.Add(2*24*time.Hour)) || last.Year() != 2026 {
		t.Errorf("auth.log read as %v .. %v", first, last)
	}
}

// Host logs are in time order, as a logger writes them (rsyslog ISO
// timestamps compare as text).
func TestSecureInTimeOrder(t *testing.T) {
	dir, sum := write(t, Options{Events: 20000, Seed: 11})
	checked := 0
	for name := range sum.Files {
		if !strings.HasSuffix(name, "/secure") {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		prev := ""
		for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			ts, _, _ := strings.Cut(line, " ")
			if ts < prev {
				t.Fatalf("%s:%d: %s after %s", name, i+1, ts, prev)
			}
			prev = ts
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("checked %d lines", checked)
	}
}
