package tui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// collect runs cmd and the commands of its batches, and returns the
// messages they produce, in no particular order; timers are dropped.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := execCmd(cmd).(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, collect(c)...)
		}
		return out
	default:
		return []tea.Msg{msg}
	}
}

// typeQuery types q in the query line and runs it; the keys' cursor
// blinks are not waited for.
func typeQuery(t *testing.T, m tea.Model, q string) tea.Model {
	t.Helper()
	for _, k := range append(keys_("/"), keys_(q)...) {
		m, _ = m.Update(k)
	}
	return drive(t, m, key_(tea.KeyEnter))
}

func feed(m tea.Model, msgs []tea.Msg) tea.Model {
	for _, msg := range msgs {
		m, _ = m.Update(msg)
	}
	return m
}

// A pivot's results and card that come back after esc are dropped: the
// view esc restored stays as it was.
func TestLatePivotDropped(t *testing.T) {
	m, caseDir := newDemo(t)
	m = drive(t, typeQuery(t, m, "user:deploy action:auth_success"), key_(tea.KeyDown))
	before := normalise(m.View(), caseDir)

	m, cmd := m.Update(keys_("i")[0]) // pivot on the source; nothing has come back yet
	late := collect(cmd)
	var cards int
	for _, msg := range late {
		if _, ok := msg.(pivotMsg); ok {
			cards++
		}
	}
	if cards != 1 {
		t.Fatalf("the pivot gathered %d cards, want 1 (%d messages)", cards, len(late))
	}
	m = drive(t, m, key_(tea.KeyEsc))
	m = feed(m, late)
	if got := normalise(m.View(), caseDir); got != before {
		t.Fatalf("a late pivot changed the view esc restored:\n%s", got)
	}
}

// Of two pivots in a row, the first one's card, coming back last, is not
// shown on the second.
func TestCardOfEarlierPivotDropped(t *testing.T) {
	m, caseDir := newDemo(t)
	m = drive(t, typeQuery(t, m, "user:deploy action:auth_success"), key_(tea.KeyDown))
	m, first := m.Update(keys_("i")[0])
	firstMsgs := collect(first)
	m = drive(t, m, keys_("u")...) // the second pivot, on the selected row's user, runs to the end
	v := normalise(m.View(), caseDir)
	if !strings.Contains(v, "search › ip 198.51.100.23 › user deploy") || !strings.Contains(v, "user deploy — first") {
		t.Fatalf("second pivot:\n%s", v)
	}
	for _, msg := range firstMsgs {
		if _, ok := msg.(pivotMsg); ok {
			m, _ = m.Update(msg)
		}
	}
	if got := normalise(m.View(), caseDir); got != v {
		t.Fatalf("the first pivot's card replaced the second's:\n%s", got)
	}
	// esc twice goes back through both.
	m = drive(t, m, key_(tea.KeyEsc))
	if v := m.View(); !strings.Contains(v, "search › ip 198.51.100.23   (esc: back)") {
		t.Fatalf("first esc:\n%s", v)
	}
}

// fakeSessions records the lookups the views make.
type fakeSessions struct {
	calls []string
	s     schema.Session
}

func (f *fakeSessions) SessionOf(_ context.Context, ev *schema.Event) (schema.Session, bool, error) {
	f.calls = append(f.calls, "of "+ev.ID)
	return f.s, true, nil
}

func (f *fakeSessions) Session(_ context.Context, sid string) (schema.Session, bool, error) {
	f.calls = append(f.calls, "session "+sid)
	return f.s, sid == f.s.SID, nil
}

func (f *fakeSessions) Hops(_ context.Context, sid string) ([]schema.Session, error) {
	f.calls = append(f.calls, "hops "+sid)
	return nil, nil
}

// enter on an event opens its session through the typed lookups: the
// session holding the event, then that session and its hops.
func TestOpenEventSessionByLookup(t *testing.T) {
	m, _ := newDemo(t)
	ev := m.(Model).search.cur.table.selected()
	if ev == nil {
		t.Fatal("no event selected")
	}
	fake := &fakeSessions{s: schema.Session{SID: "fake-sid", Host: "fakehost", User: "fakeuser", Events: []string{ev.ID}}}
	m.(Model).env.sessions = fake
	m = drive(t, m, key_(tea.KeyEnter))
	want := []string{"of " + ev.ID, "session fake-sid", "hops fake-sid"}
	if !slices.Equal(fake.calls, want) {
		t.Fatalf("lookups %q, want %q", fake.calls, want)
	}
	if v := m.View(); !strings.Contains(v, "session fake-sid: fakeuser@fakehost") || !strings.Contains(v, "1 events from every source") {
		t.Fatalf("the session is not open in the Sessions view:\n%s", v)
	}
}

// The store answers the lookups: the session of one of its events, the
// session by id, and a session's hops (children).
func TestStoreSessions(t *testing.T) {
	st, _ := demoStore(t)
	ctx := context.Background()
	all, err := st.Sessions(ctx, index.SessionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(all, func(s schema.Session) bool { return s.Parent != "" && len(s.Events) > 0 })
	if i < 0 {
		t.Fatal("no hop in the demo")
	}
	hop := all[i]
	var find sessionIndex = st // the store answers the lookups itself
	evs, err := st.Get(ctx, hop.Events[len(hop.Events)-1:])
	if err != nil || len(evs) != 1 {
		t.Fatalf("the hop's last event: %v %v", evs, err)
	}
	got, ok, err := find.SessionOf(ctx, evs[0])
	if err != nil || !ok || got.SID != hop.SID {
		t.Fatalf("SessionOf: %s %v %v, want %s", got.SID, ok, err, hop.SID)
	}
	if got, ok, err := find.Session(ctx, hop.SID); err != nil || !ok || got.SID != hop.SID {
		t.Fatalf("Session: %s %v %v", got.SID, ok, err)
	}
	if _, ok, err := find.Session(ctx, "no-such-session"); err != nil || ok {
		t.Fatalf("Session of nothing: %v %v", ok, err)
	}
	hops, err := find.Hops(ctx, hop.Parent)
	if err != nil || !slices.ContainsFunc(hops, func(s schema.Session) bool { return s.SID == hop.SID }) {
		t.Fatalf("Hops(%s) = %d sessions (%v), want one of them %s", hop.Parent, len(hops), err, hop.SID)
	}
}

// Completion knows the searchable fields of the field table, and only them.
func TestCompletionFromFieldTable(t *testing.T) {
	for in, want := range map[string]string{
		"conn":                 "conn_state:", // missing from the old hand-kept list
		"action:x us":          "action:x user:",
		"(hassh":               "(hassh", // hassh: and hassh_server:
		"ts_r":                 "ts_r",   // stored, not searchable
		"message_r":            "message_r",
		"user:root -src_p":     "user:root -src_port:",
		"dst_host:x OR zeek_u": "dst_host:x OR zeek_uid:",
	} {
		q := newQueryInput("")
		q.set(in)
		q.complete()
		if got := q.in.Value(); got != want {
			t.Errorf("complete(%q) = %q, want %q", in, got, want)
		}
	}
	for _, f := range schema.EventFields {
		if f.Searchable() != slices.Contains(completions, f.Name+":") {
			t.Errorf("field %s (%s): searchable %v, completed %v", f.Name, f.Kind, f.Searchable(), !f.Searchable())
		}
	}
}

// Every field of the table that an event sets reaches the detail pane
// (those of its first two lines aside), so a field added to the table needs
// no change here.
func TestDetailPaneFromFieldTable(t *testing.T) {
	ev := &schema.Event{}
	rv := reflect.ValueOf(ev).Elem()
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("v" + strings.ToLower(rv.Type().Field(i).Name))
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(100 + i))
		case reflect.Float64:
			f.SetFloat(10)
		case reflect.Struct:
			if f.Type() == reflect.TypeOf(time.Time{}) {
				f.Set(reflect.ValueOf(time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)))
			}
		}
	}
	kv := strings.Join(eventFields(ev, time.UTC), "\n")
	for _, f := range schema.EventFields {
		switch f.Name {
		case "id", "file", "line", "format", "message", "message_raw":
			continue // the pane's header and text
		}
		name, value := detailName(f.Name), f.Value(ev)
		if joined, ok := map[string]string{"src_port": "src", "key_fp": "key", "bytes_in": "bytes out/in"}[f.Name]; ok {
			name = joined // read with its pair
		}
		if f.Name == "ts" {
			value = "2026-03-14T02:00:00Z"
		}
		if !strings.Contains(kv, name+": ") || !strings.Contains(kv, value) {
			t.Errorf("field %s (%q) is not in the detail pane:\n%s", f.Name, value, kv)
		}
	}
}

// The detail pane's numbers and ids read as they are: bytes, durations of
// whole seconds, uid 0.
func TestDetailPaneValues(t *testing.T) {
	ev := &schema.Event{TS: time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC), Host: "db02", Program: "sshd", Action: schema.ActionNetworkSession,
		User: "root", UID: "0", SrcIP: "10.0.1.10", SrcPort: 40000, BytesOut: 1200, BytesIn: 3400, Duration: 10, ConnState: "SF", HASSHServer: "hs"}
	got := eventFields(ev, time.UTC)
	want := []string{"ts: 2026-03-14T02:00:00Z", "host: db02", "program: sshd", "action: network_session", "user: root", "uid: 0",
		"src: 10.0.1.10:40000", "hassh_server: hs", "duration: 10.0s", "bytes out/in: 1200/3400", "conn_state: SF"}
	if !slices.Equal(got, want) {
		t.Fatalf("detail\n got %q\nwant %q", got, want)
	}
}

// Picking a facet value or a bar of an empty result does nothing.
func TestEmptyResultPicks(t *testing.T) {
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := New(Options{Store: s, IndexDir: "x"})
	var tm tea.Model = m
	tm = drive(t, tm, m.Init()())
	tm = drive(t, tm, keys_("fj")[0], keys_("fj")[1], key_(tea.KeyEnter), key_(tea.KeyEsc), keys_("t")[0], keys_("l")[0], key_(tea.KeyEnter))
	if q := tm.(Model).search.query(); q != "*" {
		t.Fatalf("query %q after picks on an empty result", q)
	}
}

// Every view has its own help, and the help line shows it with the global
// keys, in every tab.
func TestHelpPerView(t *testing.T) {
	m, _ := newDemo(t)
	for i, want := range []string{"u pivot on user", "r reload", "r run again", "enter open the hop's session", "d delete", "enter import"} {
		m = drive(t, m, keys_(string(rune('1'+i)))...)
		v := m.View()
		last := v[strings.LastIndex(v, "\n")+1:]
		if !strings.Contains(last, want) || !strings.Contains(last, "tab next view") {
			t.Errorf("tab %d help %q, want %q and the global keys", i+1, last, want)
		}
	}
}

// No Go file of the workbench is over 500 lines (tests aside).
func TestFileSize(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "\n"); n > 500 {
			t.Errorf("%s has %d lines, more than 500", f, n)
		}
	}
}

// A session opened from another view is shown in the Sessions view, whose
// list is loaded too: esc shows it (it stayed "loading sessions…").
func TestOpenSessionLoadsList(t *testing.T) {
	m, _ := newDemo(t)
	m = drive(t, m, key_(tea.KeyEnter)) // the selected event's session
	if v := m.View(); !strings.Contains(v, "events from every source") {
		t.Fatalf("no session open:\n%s", v)
	}
	m = drive(t, m, key_(tea.KeyEsc))
	if v := m.View(); !strings.Contains(v, "sessions (newest first)") {
		t.Fatalf("the session list is not loaded:\n%s", v)
	}
}
