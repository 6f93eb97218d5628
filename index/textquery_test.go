package index

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/sshtrail/sshtrail/sample-data/gen"
	"github.com/sshtrail/sshtrail/schema"
)

// textEvents are real sshd lines (the authlog importer's test data, and
// the shared corpus when present), each line the message of one event,
// with text that lower-cases oddly or is not UTF-8 beside them.
func textEvents(t *testing.T) []*schema.Event {
	t.Helper()
	var files []string
	for _, glob := range []string{"../importers/authlog/testdata/*.log", "../importers/authlog/testdata/*.annotated"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if d := findCorpus("authlog"); d != "" {
		m, _ := filepath.Glob(filepath.Join(d, "*"))
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("test data missing: %v", files)
	}
	var lines []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if sc.Text() != "" {
				lines = append(lines, sc.Text())
			}
		}
		fh.Close()
	}
	lines = append(lines,
		"Invalid user KELVIN\u212a from 203.0.113.9 port 22", // K (Kelvin) lower-cases to ASCII k
		"Failed password for İnvalid user from 203.0.113.9",  // İ lower-cases to i
		"Invalid user jos\xe9 from 203.0.113.9 port 50200",   // Latin-1, not UTF-8
		"FAILED PASSWORD FOR ROOT FROM 198.51.100.7 PORT 2222 SSH2",
		"Σίσυφος ΟΔΟΣ failed",
		"\x1b[31mFailed password\x1b[0m for root from 10.0.0.1 port 22 ssh2",
	)
	base := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	evs := make([]*schema.Event, len(lines))
	for i, l := range lines {
		evs[i] = &schema.Event{ID: schema.EventID("text", int64(i), l), TS: base.Add(time.Duration(i) * time.Second),
			Format: schema.FormatAuthlog, Host: fmt.Sprintf("h%d", i%4), Action: schema.ActionAuthFailure, Message: l}
	}
	return evs
}

func findCorpus(sub string) string {
	dir, _ := os.Getwd()
	for {
		c := filepath.Join(dir, "shared", "corpus", sub)
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// referenceIndex is the index message was searched in before the scan:
// message analysed with positions, as format 3 mapped it.
func referenceIndex(t *testing.T, evs []*schema.Event) bleve.Index {
	t.Helper()
	im, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	tf := bleve.NewTextFieldMapping()
	tf.Analyzer = TextAnalyzer
	tf.IncludeTermVectors = true
	tf.Store, tf.IncludeInAll, tf.DocValues = false, false, false
	im.DefaultMapping.AddFieldMappingsAt("message", tf)
	idx, err := bleve.NewMemOnly(im)
	if err != nil {
		t.Fatal(err)
	}
	b := idx.NewBatch()
	for _, ev := range evs {
		if err := b.Index(ev.ID, map[string]any{"message": ev.Message, "host": ev.Host, "action": ev.Action}); err != nil {
			t.Fatal(err)
		}
	}
	if err := idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return idx
}

// textQueries are free-text questions of every form the language has,
// alone and mixed with structured clauses.
var textQueries = []string{
	"password", "Password", "PASSWORD", "preauth", "root", "invalid", "kelvink", "kelvin\u212a", "invalid user",
	`"Failed password"`, `"failed password for root"`, `"invalid user"`, `"for invalid user"`, `"password for"`,
	`message:"Connection closed by"`, `"Σίσυφος οδος"`, `"jos\xe9"`, `message:"[preauth]"`, `"::"`,
	"pass*", "Fail*", "*word", "?oot", "message:acc*ted", "ssh?",
	"/pa.*d/", "/[0-9]+/", "/ssh2/", "/kex_.*/", "/Fail.*/", "/.*[.]1/",
	"passwrd~1", "root~2", "acepted~1",
	"22", "2222", "port:22", "198.51.100.7", "10.0.0.1",
	"password -root", `"Failed password" OR Accepted`, "NOT preauth", "-password", "(root OR admin) AND password",
	"password host:h1", "host:h2 -preauth", `host:h3 OR "Accepted publickey"`, `(host:h0 AND preauth) OR (host:h1 AND /session.*/)`,
	"message:password message:root", "invalid AND NOT user",
	// ANDed with structured clauses that match few events: the scan reads
	// only their frames (narrowText).
	`host:h1 "invalid user"`, "action:auth_failure preauth", "host:h0 /ssh.*/ -root", "host:h3 AND (password OR publickey)",
}

// generatedEvents are the lines of a generated auth.log (sample-data/gen),
// one event each: bulk sshd and PAM traffic of many hosts and users.
func generatedEvents(t *testing.T, n int) []*schema.Event {
	t.Helper()
	var buf bytes.Buffer
	if err := gen.WriteAuthLog(&buf, n, 7, time.Time{}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	var evs []*schema.Event
	for i, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		evs = append(evs, &schema.Event{ID: schema.EventID("gen", int64(i), l), TS: base.Add(time.Duration(i) * time.Second),
			Format: schema.FormatAuthlog, Host: fmt.Sprintf("h%d", i%4), Action: schema.ActionAuthFailure, Message: l})
	}
	return evs
}

// Every free-text query the scan answers equals what the message index
// answered on the same events: the same events, counted the same — on
// real lines and on a generated case.
func TestFreeTextAgreesWithMessageIndex(t *testing.T) {
	t.Run("real", func(t *testing.T) { agreeWithMessageIndex(t, textEvents(t)) })
	t.Run("generated", func(t *testing.T) { agreeWithMessageIndex(t, generatedEvents(t, 10000)) })
}

func agreeWithMessageIndex(t *testing.T, evs []*schema.Event) {
	ref := referenceIndex(t, evs)
	defer ref.Close()
	s := newStore(t)
	bulk(t, s, evs, 300) // several segments, partial frames
	ctx := context.Background()
	nonEmpty := 0
	// Narrow every scan a structured clause allows (a small case has too
	// few frames for the spread rule).
	old := narrowSpread
	narrowSpread = 0
	defer func() { narrowSpread = old }()
	for _, qs := range textQueries {
		want := func() []string {
			scanText = false
			defer func() { scanText = true }()
			bq, err := ParseQuery(qs)
			if err != nil {
				t.Fatalf("%s: reference parse: %v", qs, err)
			}
			req := newRequest(bq, len(evs), 0)
			res, err := ref.SearchInContext(ctx, req)
			if err != nil {
				t.Fatalf("%s: reference: %v", qs, err)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			sort.Strings(ids)
			return ids
		}()
		var got []string
		if err := s.Each(ctx, Query{Q: qs}, func(ev *schema.Event) error { got = append(got, ev.ID); return nil }); err != nil {
			t.Fatalf("%s: %v", qs, err)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: scan finds %d events, the message index %d", qs, len(got), len(want))
			continue
		}
		n, err := s.Count(ctx, Query{Q: qs})
		if err != nil || n != uint64(len(want)) {
			t.Errorf("%s: count %d (%v), want %d", qs, n, err, len(want))
		}
		if len(want) > 0 && len(want) < len(evs) {
			nonEmpty++
		}
	}
	// The table must test something: most questions split the events.
	if nonEmpty < len(textQueries)*2/3 {
		t.Errorf("only %d of %d queries match some but not all events", nonEmpty, len(textQueries))
	}
}

// Facets and histograms of a mixed query count what its search finds,
// with the fast paths and through Bleve's collectors alike.
func TestFreeTextFacetsAndPages(t *testing.T) {
	evs := textEvents(t)
	s := newStore(t)
	bulk(t, s, evs, 0)
	ctx := context.Background()
	for _, qs := range []string{"password", `"invalid user" -host:h1`, "/preauth/ OR host:h2"} {
		var byHost = map[string]int{}
		n := 0
		s.Each(ctx, Query{Q: qs}, func(ev *schema.Event) error { byHost[ev.Host]++; n++; return nil })
		if n == 0 {
			t.Fatalf("%s matches nothing", qs)
		}
		for _, fast := range []bool{true, false} {
			s.noFastPaths = !fast
			fs, err := s.Facets(ctx, Query{Q: qs}, []string{"host"}, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, ft := range fs[0].Terms {
				got[ft.Term] = ft.Count
			}
			if fmt.Sprint(got) != fmt.Sprint(byHost) {
				t.Errorf("%s (fast %v): facets %v, events %v", qs, fast, got, byHost)
			}
			hs, _, err := s.Histogram(ctx, Query{Q: qs}, 60)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, b := range hs {
				sum += b.Count
			}
			if sum != n {
				t.Errorf("%s (fast %v): histogram holds %d, search %d", qs, fast, sum, n)
			}
			// Newest first, page by page, every event once.
			seen := map[string]bool{}
			var after []string
			for {
				res, err := s.Search(ctx, Query{Q: qs}, Page{Size: 7, After: after})
				if err != nil {
					t.Fatal(err)
				}
				for _, ev := range res.Events {
					seen[ev.ID] = true
				}
				if len(res.Events) < 7 {
					break
				}
				after = res.Sort[len(res.Sort)-1]
			}
			if len(seen) != n {
				t.Errorf("%s (fast %v): pages hold %d events, search %d", qs, fast, len(seen), n)
			}
		}
		s.noFastPaths = false
	}
}

// A free-text clause in a session query matches nothing: sessions have no
// message (and must not be answered from the events' scan).
func TestFreeTextOnSessionsMatchesNothing(t *testing.T) {
	s := newStore(t)
	bulk(t, s, textEvents(t), 0)
	if err := s.PutSessions(context.Background(), []SessionDoc{{Session: schema.Session{SID: "s1", Host: "h1", User: "root", Start: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}}}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]uint64{"password": 0, "user:root": 1, "user:root password": 0, "user:root OR password": 1} {
		n, err := s.CountSessions(context.Background(), Query{Q: q})
		if err != nil || n != want {
			t.Errorf("sessions %q: %d (%v), want %d", q, n, err, want)
		}
	}
}

// bulk adds evs in batches of size (0: the default).
func bulk(t *testing.T, s *Store, evs []*schema.Event, size int) {
	t.Helper()
	w := s.NewWriter(size)
	for _, ev := range evs {
		if err := w.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// lowerASCII lower-cases exactly A-Z, at every alignment, and tells ASCII
// from not.
func TestLowerASCII(t *testing.T) {
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, byte(c))
	}
	for off := 0; off < 9; off++ {
		src := all[off:]
		got, ascii := lowerASCII(nil, src)
		for i, c := range src {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if got[i] != want {
				t.Fatalf("offset %d: byte %#x -> %#x, want %#x", off, c, got[i], want)
			}
		}
		if ascii {
			t.Errorf("offset %d: bytes >= 0x80 called ASCII", off)
		}
		if _, ascii := lowerASCII(nil, all[off:128]); !ascii {
			t.Errorf("offset %d: ASCII called not", off)
		}
	}
}
