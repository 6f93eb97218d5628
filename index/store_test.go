package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

func testEvents() []*schema.Event {
	base := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	mk := func(i int, host, action, outcome, user, src string, port int, msg string) *schema.Event {
		return &schema.Event{
			ID: schema.EventID("test", int64(i), msg), TS: base.Add(time.Duration(i) * time.Minute),
			Format: schema.FormatAuthlog, File: "auth.log", Line: int64(i + 1), Host: host,
			Action: action, Outcome: outcome, User: user, SrcIP: src, SrcPort: port, PID: 1000 + i,
			Message: msg,
		}
	}
	return []*schema.Event{
		mk(0, "bastion01", schema.ActionAuthFailure, schema.OutcomeFailure, "admin", "198.51.100.23", 40022, "Failed password for invalid user admin from 198.51.100.23 port 40022 ssh2"),
		mk(1, "bastion01", schema.ActionAuthFailure, schema.OutcomeFailure, "oracle", "198.51.100.23", 40023, "Failed password for invalid user oracle from 198.51.100.23 port 40023 ssh2"),
		mk(2, "bastion01", schema.ActionAuthSuccess, schema.OutcomeSuccess, "deploy", "198.51.100.23", 40024, "Accepted password for deploy from 198.51.100.23 port 40024 ssh2"),
		mk(3, "db02", schema.ActionAuthSuccess, schema.OutcomeSuccess, "postgres", "10.0.1.10", 51000, "Accepted publickey for postgres from 10.0.1.10 port 51000 ssh2"),
		mk(4, "db02", schema.ActionAuthSuccess, schema.OutcomeSuccess, "alice", "2001:db8::5", 22, "Accepted publickey for alice from 2001:db8::5 port 22 ssh2"),
	}
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ingest(t *testing.T, s *Store, evs []*schema.Event) WriteStats {
	t.Helper()
	w := s.NewWriter(2)
	for _, ev := range evs {
		if err := w.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	st, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStoreQueries(t *testing.T) {
	s := newStore(t)
	st := ingest(t, s, testEvents())
	if st.Added != 5 || st.Present != 0 {
		t.Fatalf("first ingest: %+v", st)
	}
	// Importing the same events again adds nothing.
	st = ingest(t, s, testEvents())
	if st.Added != 0 || st.Present != 5 {
		t.Fatalf("second ingest: %+v", st)
	}
	ctx := context.Background()
	cases := []struct {
		q    string
		want int
	}{
		{"", 5},
		{"*", 5},
		{"user:deploy", 1},
		{"action:auth_failure", 2},
		{"host:bastion01 AND outcome:success", 1},
		{"+host:db02 -user:alice", 1},
		{"src_ip:198.51.100.0/24", 3},
		{"src_ip:10.0.0.0/8", 1},
		{`src_ip:"2001:db8::/32"`, 1},
		{"src_port:40023", 1},
		{"src_port:>=40023", 3},
		{"host:bastion01 outcome:success", 1},
		{"(user:admin OR user:oracle) AND NOT src_port:40022", 1},
		{"user:alice OR user:postgres", 2},
		{"NOT host:db02", 3},
		{`message:"Failed password for invalid"`, 2},
		{"src_port:<1024", 1},
		{"password", 3},
		{"message:publickey", 2},
		{`ts:>="2026-03-14T02:02:00Z"`, 3},
		{`ts:<"2026-03-14T02:01:00Z"`, 1},
		{"user:adm*", 1},
	}
	for _, c := range cases {
		n, err := s.Count(ctx, Query{Q: c.q})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if int(n) != c.want {
			t.Errorf("%q: got %d want %d", c.q, n, c.want)
		}
	}
	res, err := s.Search(ctx, Query{Q: "host:bastion01"}, Page{Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || len(res.Events) != 3 || res.Events[0].User != "deploy" || res.Events[2].User != "admin" {
		t.Fatalf("newest first: %+v", res)
	}
	if res.Events[0].Message != "Accepted password for deploy from 198.51.100.23 port 40024 ssh2" || res.Events[0].SrcPort != 40024 {
		t.Fatalf("event round trip: %+v", res.Events[0])
	}
	n, _ := s.Count(ctx, Query{Since: time.Date(2026, 3, 14, 2, 3, 0, 0, time.UTC)})
	if n != 2 {
		t.Fatalf("since: %d", n)
	}
	fs, err := s.Facets(ctx, Query{}, []string{"host", "user"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].Terms[0] != (FacetTerm{"bastion01", 3}) || fs[0].Others != 2 {
		t.Fatalf("facet: %+v", fs)
	}
	hist, step, err := s.Histogram(ctx, Query{}, 10)
	if err != nil || step != time.Hour || len(hist) != 1 || hist[0].Count != 5 {
		t.Fatalf("histogram: %v %v %v", hist, step, err)
	}
	got, err := s.Get(ctx, []string{testEvents()[3].ID, "nope"})
	if err != nil || len(got) != 1 || got[0].User != "postgres" {
		t.Fatalf("get: %v %v", got, err)
	}
	var scanned int
	if err := s.Scan(ctx, func(*schema.Event) error { scanned++; return nil }); err != nil || scanned != 5 {
		t.Fatalf("scan: %d %v", scanned, err)
	}
	var each []string
	if err := s.Each(ctx, Query{Q: "outcome:success"}, func(e *schema.Event) error { each = append(each, e.User); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(each) != "[deploy postgres alice]" {
		t.Fatalf("each: %v", each)
	}
	if _, err := s.Count(ctx, Query{Q: "user:(unclosed"}); err == nil {
		t.Fatal("bad query accepted")
	}
}

func TestLockedIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("lock wait too long")
	}
}

func TestUncommittedLogTailIsCut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, testEvents()[:2])
	s.Close()
	// Simulate a crash after the log append but before the Bleve commit:
	// a whole frame of an orphan event past the committed one, in every
	// part of the log.
	enc, _, err := encodeBatch([]*schema.Event{{ID: "orphan", TS: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}}, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{eventsFile: enc.ev, messagesFile: enc.msg, idsFile: enc.ids, framesFile: enc.tbl} {
		f, _ := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
		f.Write(b)
		f.Close()
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := ingest(t, s, testEvents())
	if st.Added != 3 || st.Present != 2 {
		t.Fatalf("reingest: %+v", st)
	}
	var n int
	s.Scan(context.Background(), func(e *schema.Event) error {
		if e.ID == "orphan" {
			t.Fatal("orphan survived")
		}
		n++
		return nil
	})
	if n != 5 {
		t.Fatalf("scan %d", n)
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", st.Mode().Perm())
	}
	for _, f := range []string{eventsFile, messagesFile, idsFile, framesFile, lockFile} {
		st, _ := os.Stat(filepath.Join(dir, f))
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v", f, st.Mode().Perm())
		}
	}
}

// An existing index directory others can read is made owner-only, and the
// store says so.
func TestLooseIndexDirTightened(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "idx")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	notes := s.Notes()
	s.Close()
	st, _ := os.Stat(dir)
	if st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", st.Mode().Perm())
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "0777") || !strings.Contains(notes[0], "0700") {
		t.Fatalf("notes %q", notes)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Notes()) != 0 {
		t.Fatalf("second open notes %q", s.Notes())
	}
	for _, f := range []string{eventsFile, messagesFile, idsFile, framesFile, lockFile} {
		st, _ := os.Stat(filepath.Join(dir, f))
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("%s mode %v under umask 0", f, st.Mode().Perm())
		}
	}
}

func TestSizeAndDurationRanges(t *testing.T) {
	s := newStore(t)
	base := time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC)
	evs := []*schema.Event{
		{ID: "c1", TS: base, Format: schema.FormatZeekConn, Action: schema.ActionConnection, SrcIP: "10.0.1.10", DstIP: "10.0.2.20", DstPort: 22, Duration: 3538.4, BytesOut: 188743680, BytesIn: 5242880},
		{ID: "c2", TS: base, Format: schema.FormatZeekConn, Action: schema.ActionConnection, SrcIP: "10.0.2.20", DstIP: "10.0.9.5", DstPort: 3389, Duration: 900.5, BytesOut: 90177536},
		{ID: "c3", TS: base, Format: schema.FormatZeekConn, Action: schema.ActionConnection, SrcIP: "198.51.100.23", DstIP: "203.0.113.10", DstPort: 22, Duration: 5.6, BytesOut: 1450, BytesIn: 2210},
	}
	ingest(t, s, evs)
	for _, c := range []struct {
		q    string
		want int
	}{
		{"bytes_out:>100000000", 1},
		{"bytes_out:>=1450", 3},
		{"bytes_out:<2000", 1},
		{"duration:>3600", 0},
		{"duration:>=900.5", 2},
		{"duration:<6", 1},
		{"bytes_in:>0 dst_port:22", 2},
		{"duration:5.6", 1},
	} {
		n, err := s.Count(context.Background(), Query{Q: c.q})
		if err != nil || int(n) != c.want {
			t.Errorf("%s: %d (%v), want %d", c.q, n, err, c.want)
		}
	}
}

// The prepare stage runs ahead of the commit stage: an id repeated in the
// next batch, before the first is committed, must still be written once,
// and a Flush in the middle must leave the log and Bleve agreeing.
func TestWriterDedupsAcrossBatchesInFlight(t *testing.T) {
	s := newStore(t)
	evs := testEvents()
	w := s.NewWriter(2)
	for round := 0; round < 3; round++ {
		for _, ev := range evs {
			if err := w.Add(ev); err != nil {
				t.Fatal(err)
			}
		}
		if round == 1 {
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	st, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != len(evs) || st.Present != 2*len(evs) {
		t.Fatalf("stats %+v, want %d added, %d present", st, len(evs), 2*len(evs))
	}
	n, err := s.Count(context.Background(), Query{})
	if err != nil || n != uint64(len(evs)) {
		t.Fatalf("count %d (%v), want %d", n, err, len(evs))
	}
	logged := 0
	if err := s.Scan(context.Background(), func(*schema.Event) error { logged++; return nil }); err != nil {
		t.Fatal(err)
	}
	if logged != len(evs) {
		t.Fatalf("event log holds %d events, want %d", logged, len(evs))
	}
}

// A source never indexed skips the existence lookup; the same identity
// again (later, or twice in one run), and any source of an index that did
// not record identities from its start, is looked up as before.
func TestWriterSources(t *testing.T) {
	s := newStore(t)
	evsFor := func(identity string) []*schema.Event {
		var out []*schema.Event
		for i, ev := range testEvents() {
			ev.ID = schema.EventID(identity, int64(i), ev.Message)
			out = append(out, ev)
		}
		return out
	}
	run := func(idents ...string) (WriteStats, []bool) {
		t.Helper()
		w := s.NewWriter(2)
		var fresh []bool
		for _, id := range idents {
			fresh = append(fresh, w.BeginSource(id))
			for _, ev := range evsFor(id) {
				if err := w.Add(ev); err != nil {
					t.Fatal(err)
				}
			}
			w.EndSource()
		}
		st, err := w.Close()
		if err != nil {
			t.Fatal(err)
		}
		return st, fresh
	}
	n := len(testEvents())
	st, fresh := run("a", "a")
	if !fresh[0] || fresh[1] || st.Added != n || st.Present != n {
		t.Fatalf("first run: fresh %v, stats %+v", fresh, st)
	}
	st, fresh = run("a", "b")
	if fresh[0] || !fresh[1] || st.Added != n || st.Present != n {
		t.Fatalf("second run: fresh %v, stats %+v", fresh, st)
	}
	if err := s.idx.DeleteInternal([]byte(keyIdentsTracked)); err != nil {
		t.Fatal(err)
	}
	st, fresh = run("c", "a")
	if fresh[0] || fresh[1] || st.Added != n || st.Present != n {
		t.Fatalf("index without recorded identities: fresh %v, stats %+v", fresh, st)
	}
	logged := 0
	if err := s.Scan(context.Background(), func(*schema.Event) error { logged++; return nil }); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Count(context.Background(), Query{}); c != uint64(3*n) || logged != 3*n {
		t.Fatalf("index holds %d events, log %d, want %d", c, logged, 3*n)
	}
}

// A compaction right before Close (every large import) must not leave the
// merged-away segment files on disk. (At this size Bleve's persister often
// removes them in time on its own; at 1M events it did not: 61 files and
// 518 MB on disk for 6 live files of 256 MB, before tidy.)
func TestCloseLeavesNoDeadSegments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := s.NewWriter(50)
	for _, ev := range fastPathEvents()[:3000] {
		if err := w.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, bleveDir, "store", "*.zap"))
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap, err := s.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	live := len(snap.Segments())
	if len(files) != live {
		t.Fatalf("%d segment files on disk after close, %d live", len(files), live)
	}
}
