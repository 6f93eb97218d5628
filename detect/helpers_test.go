package detect

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

func newStore(t testing.TB) *index.Store {
	t.Helper()
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ingest(t testing.TB, s *index.Store, evs []*schema.Event) {
	t.Helper()
	w := s.NewWriter(0)
	for _, ev := range evs {
		if err := w.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func storeOf(t testing.TB, evs ...[]*schema.Event) *index.Store {
	s := newStore(t)
	var all []*schema.Event
	for _, e := range evs {
		all = append(all, e...)
	}
	ingest(t, s, all)
	return s
}

// The tests read real sshd lines. This small reader knows just the four
// sshd messages the rules count (the real importers live in importers/,
// which detect may not import); every other line becomes action "other".
var (
	syslogRe   = regexp.MustCompile(`^(\w{3} +\d+ \d\d:\d\d:\d\d) (\S+) sshd\[(\d+)\]: (.*)$`)
	failedRe   = regexp.MustCompile(`^Failed (\S+) for (invalid user )?(\S+) from (\S+) port (\d+)`)
	acceptedRe = regexp.MustCompile(`^Accepted (\S+) for (\S+) from (\S+) port (\d+) ssh2(?:: (\S+) (\S+))?`)
	invalidRe  = regexp.MustCompile(`^Invalid user (\S*) from (\S+)(?: port (\d+))?`)
)

// sshdLine turns one real syslog sshd line into the Event the importer
// makes of it (year given, since syslog has none).
func sshdLine(t testing.TB, file string, n int, year int, line string) *schema.Event {
	m := syslogRe.FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	ts, err := time.Parse("2006 Jan _2 15:04:05", strconv.Itoa(year)+" "+m[1])
	if err != nil {
		t.Fatalf("%s:%d: %v", file, n, err)
	}
	pid, _ := strconv.Atoi(m[3])
	ev := &schema.Event{ID: schema.EventID(file, int64(n), line), TS: ts, Format: schema.FormatAuthlog, File: file,
		Line: int64(n), Host: m[2], PID: pid, Program: "sshd", Message: m[4], Action: schema.ActionOther, Outcome: schema.OutcomeUnknown}
	msg := m[4]
	if f := failedRe.FindStringSubmatch(msg); f != nil {
		ev.Action, ev.Outcome, ev.Method, ev.User, ev.SrcIP = schema.ActionAuthFailure, schema.OutcomeFailure, f[1], f[3], f[4]
		ev.SrcPort, _ = strconv.Atoi(f[5])
	} else if a := acceptedRe.FindStringSubmatch(msg); a != nil {
		ev.Action, ev.Outcome, ev.Method, ev.User, ev.SrcIP = schema.ActionAuthSuccess, schema.OutcomeSuccess, a[1], a[2], a[3]
		ev.SrcPort, _ = strconv.Atoi(a[4])
		ev.KeyType, ev.KeyFP = a[5], a[6]
	} else if i := invalidRe.FindStringSubmatch(msg); i != nil {
		ev.Action, ev.Outcome, ev.User, ev.SrcIP = schema.ActionInvalidUser, schema.OutcomeFailure, i[1], i[2]
		ev.SrcPort, _ = strconv.Atoi(i[3])
	}
	return ev
}

func readLog(t testing.TB, name string, year int) []*schema.Event {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*schema.Event
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if ev := sshdLine(t, name, n, year, sc.Text()); ev != nil {
			out = append(out, ev)
		}
	}
	return out
}

// handmade events: made up for a test, never read from a real log.
var hmBase = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday, 09:00 UTC

var hmN int

func handmade(at time.Duration, ev schema.Event) *schema.Event {
	hmN++
	ev.ID = schema.EventID("handmade", int64(hmN), ev.Message+ev.Host+ev.User)
	ev.TS = hmBase.Add(at)
	if ev.Format == "" {
		ev.Format = schema.FormatAuthlog
	}
	if ev.Outcome == "" {
		ev.Outcome = schema.OutcomeSuccess
	}
	return &ev
}

// logon is a hand-made "Accepted" event.
func logon(at time.Duration, host, user, src, method, key string) *schema.Event {
	return handmade(at, schema.Event{Host: host, Action: schema.ActionAuthSuccess, User: user, SrcIP: src,
		Method: method, KeyFP: key, PID: 2000 + hmN, Message: "Accepted " + method + " for " + user + " from " + src + " port 50000 ssh2"})
}

const day = 24 * time.Hour

func run(t testing.TB, s *index.Store, cfg Config, rules ...string) []Finding {
	t.Helper()
	fs, err := Run(context.Background(), s, cfg, rules, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func only1(t *testing.T, fs []Finding) Finding {
	t.Helper()
	if len(fs) != 1 {
		for _, f := range fs {
			t.Logf("%s %s", f.Rule, f.Summary)
		}
		t.Fatalf("want 1 finding, got %d", len(fs))
	}
	return fs[0]
}
