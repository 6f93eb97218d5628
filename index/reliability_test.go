package index

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// committedLen reads the frame count the index committed, as a reopen
// would, as the Mark it gives.
func committedLen(t *testing.T, s *Store) int64 {
	t.Helper()
	v, err := s.GetInternal(keyFrames)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range v {
		n = n*10 + int64(c-'0')
	}
	return n * frameEvents
}

func scanCount(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	if err := s.Scan(context.Background(), func(*schema.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A batch that holds marks but no new events (a checkpoint after a file
// whose events were all present, or a source identity) must leave the
// event log's length alone. It reset it to 0: Scan then read nothing and
// the next writer overwrote the log.
func TestMarksOnlyBatchKeepsLogLength(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	evs := testEvents()
	ingest(t, s, evs[:3])
	want := s.Mark()
	if want == 0 || committedLen(t, s) != want {
		t.Fatalf("after first write: mark %d committed %d", want, committedLen(t, s))
	}

	cases := []struct {
		name string
		run  func(w *Writer)
	}{
		{"marks only", func(w *Writer) { w.Mark("ckpt/x", []byte("1")) }},
		{"present events then a mark", func(w *Writer) {
			for _, ev := range evs[:3] {
				w.Add(ev)
			}
			w.Mark("ckpt/y", []byte("2"))
		}},
		{"new source identity only", func(w *Writer) { w.BeginSource("copy-of-a"); w.EndSource() }},
		{"flush of marks then close", func(w *Writer) {
			w.Mark("ckpt/z", []byte("3"))
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		w := s.NewWriter(2)
		c.run(w)
		if _, err := w.Close(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := s.Mark(); got != want {
			t.Fatalf("%s: log length %d in memory, want %d", c.name, got, want)
		}
		if n := scanCount(t, s); n != 3 {
			t.Fatalf("%s: scan %d events, want 3", c.name, n)
		}
	}

	// The same process writes again (the TUI imports twice): the new
	// events append, nothing is overwritten.
	st := ingest(t, s, evs)
	if st.Added != 2 || st.Present != 3 {
		t.Fatalf("second import: %+v", st)
	}
	if n := scanCount(t, s); n != 5 {
		t.Fatalf("scan %d, want 5", n)
	}
	end := s.Mark()
	evEnd, _ := s.log.ends()
	s.Close()
	fi, err := os.Stat(filepath.Join(dir, eventsFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != evEnd {
		t.Fatalf("log file %d bytes, committed %d", fi.Size(), evEnd)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := scanCount(t, s); n != 5 || s.Mark() != end {
		t.Fatalf("reopened: %d events, length %d (want 5, %d)", n, s.Mark(), end)
	}
}

// A store whose committed length cannot be trusted is not opened: the old
// code read it as 0 and truncated the event log.
func TestOpenRefusesUntrustedLogLength(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(t *testing.T, dir string, s *Store)
		want   string
	}{
		{"garbled length", func(t *testing.T, dir string, s *Store) {
			if err := s.SetInternal(keyFrames, []byte("12x")); err != nil {
				t.Fatal(err)
			}
		}, "garbled"},
		{"log cut short", func(t *testing.T, dir string, s *Store) {
			s.Close()
			if err := os.Truncate(filepath.Join(dir, eventsFile), 10); err != nil {
				t.Fatal(err)
			}
		}, "were committed"},
	} {
		dir := filepath.Join(t.TempDir(), "idx")
		s, err := OpenOrCreate(dir)
		if err != nil {
			t.Fatal(err)
		}
		ingest(t, s, testEvents())
		c.damage(t, dir, s)
		s.Close()
		before, _ := os.Stat(filepath.Join(dir, eventsFile))
		s2, err := Open(dir)
		if err == nil {
			s2.Close()
			t.Fatalf("%s: opened", c.name)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: %v", c.name, err)
		}
		after, _ := os.Stat(filepath.Join(dir, eventsFile))
		if before.Size() != after.Size() {
			t.Fatalf("%s: log changed %d -> %d", c.name, before.Size(), after.Size())
		}
	}
}

// Invalid UTF-8 (a Latin-1 user name, a binary payload) is evidence: the
// store gives back the bytes it was handed, not U+FFFD.
func TestOriginalBytesKept(t *testing.T) {
	s := newStore(t)
	msgs := []string{
		"Invalid user jos\xe9 from 203.0.113.9 port 50200",
		"Failed password for invalid user \xff\xfe\x80 from 203.0.113.9 port 50201 ssh2",
		"Accepted password for deploy from 198.51.100.23 port 40024 ssh2", // valid: no raw copy
	}
	var evs []*schema.Event
	for i, m := range msgs {
		evs = append(evs, &schema.Event{ID: schema.EventID("raw", int64(i), m), TS: time.Date(2026, 3, 14, 2, i, 0, 0, time.UTC),
			Format: schema.FormatJournal, Host: "web-01", Action: schema.ActionInvalidUser, Message: m})
	}
	ingest(t, s, evs)
	got := map[string]*schema.Event{}
	if err := s.Scan(context.Background(), func(ev *schema.Event) error { got[ev.ID] = ev; return nil }); err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		g := got[ev.ID]
		if g == nil || g.Message != msgs[i] {
			t.Fatalf("event %d: message %q, want %q", i, g.Message, msgs[i])
		}
		if (g.MessageRaw != "") != (i < 2) {
			t.Fatalf("event %d: message_raw %q", i, g.MessageRaw)
		}
		if evs[i].MessageRaw != "" {
			t.Fatalf("the caller's event was changed")
		}
	}
	res, err := s.Search(context.Background(), Query{Q: "*"}, Page{Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range res.Events {
		js, _ := json.Marshal(ev)
		var back schema.Event
		json.Unmarshal(js, &back)
		if back.MessageRaw != "" {
			raw, err := base64.StdEncoding.DecodeString(back.MessageRaw)
			if err != nil {
				t.Fatal(err)
			}
			back.Message = string(raw)
		}
		if back.Message != got[ev.ID].Message {
			t.Fatalf("JSON round trip lost bytes: %q", back.Message)
		}
	}
}

// Scan returns when its context ends at any moment: a chunk ordered but
// never handed to a worker left it waiting forever.
func TestScanCancelledAnywhere(t *testing.T) {
	s := newStore(t)
	var evs []*schema.Event
	for i := 0; i < 20000; i++ {
		m := fmt.Sprintf("Failed password for invalid user u%d from 203.0.113.%d port %d ssh2", i, i%250+1, 30000+i%30000)
		evs = append(evs, &schema.Event{ID: schema.EventID("scan", int64(i), m), TS: time.Date(2026, 3, 14, 2, 0, i%60, 0, time.UTC),
			Format: schema.FormatAuthlog, Host: "web01", Action: schema.ActionAuthFailure, Message: m})
	}
	w := s.NewWriter(0)
	for _, ev := range evs {
		w.Add(ev)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- s.Scan(ctx, func(*schema.Event) error { return nil })
		}()
		time.Sleep(time.Duration(i%50) * 20 * time.Microsecond)
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("scan %d did not return after cancel", i)
		}
	}
}

// A user name or raw time written as raw non-UTF-8 bytes is kept, escaped
// (\xe9), in the index and the JSON alike — never dropped or U+FFFD.
func TestInvalidUserBytesEscaped(t *testing.T) {
	s := newStore(t)
	msg := "Invalid user jos\xe9 from 203.0.113.9 port 50200"
	ev := &schema.Event{ID: schema.EventID("raw", 1, msg), TS: time.Date(2026, 12, 14, 2, 0, 0, 0, time.UTC), TSRaw: "D\xe9c 14 02:00:00",
		Format: schema.FormatAuthlog, Host: "web-01", Action: schema.ActionInvalidUser, User: "jos\xe9", Message: msg}
	ingest(t, s, []*schema.Event{ev})
	var got *schema.Event
	s.Scan(context.Background(), func(e *schema.Event) error { got = e; return nil })
	if got == nil || got.User != `jos\xe9` || got.TSRaw != `D\xe9c 14 02:00:00` || got.Message != msg {
		t.Fatalf("stored %+v", got)
	}
	if n, err := s.Count(context.Background(), Query{Q: `user:"jos\\xe9"`}); err != nil || n != 1 {
		t.Fatalf("user:\"jos\\\\xe9\" finds %d (%v)", n, err)
	}
}

// A reader still running when the store closes gets an error, never a
// nil dereference (the workbench's quit closed the store under detect's
// session reader), and a second Close is harmless.
func TestUseAfterCloseIsAnError(t *testing.T) {
	s, err := OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, testEvents())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := s.CountSessions(context.Background(), Query{}); err == nil {
		t.Fatal("a closed store answered")
	}
	if _, _, err := s.Session(context.Background(), "x"); err == nil {
		t.Fatal("a closed store answered a lookup")
	}
}

// An index an older sshtrail wrote (format 3: message in Bleve, flate
// frames, event-id documents) is refused with the re-import message and
// left as it is, never read as this format.
func TestOlderFormatRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, testEvents())
	if err := s.SetInternal(keyVersion, []byte("3")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(filepath.Join(dir, eventsFile))
	for _, open := range []func(string) (*Store, error){Open, OpenOrCreate, OpenReadOnly} {
		s, err := open(dir)
		if err == nil {
			s.Close()
			t.Fatal("a format 3 index opened")
		}
		if !errors.Is(err, ErrOldFormat) || !strings.Contains(err.Error(), "re-import: this index was made by an older sshtrail") {
			t.Fatalf("error %v", err)
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, eventsFile))
	if !bytes.Equal(before, after) {
		t.Fatal("the refused index was changed")
	}
}
