package index

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/sshtrail/sshtrail/schema"
)

// keyTouched records which hosts and formats got new events since the
// derived data built over the events (sessions) was last brought up to
// date. The writer commits it in the same Bleve batch as the first new
// event of each host or format, so it can never lag the events: a process
// killed after an event batch (in compaction, the session scan, the session
// writes) leaves it set, and the next command finishes the rebuild instead
// of showing sessions for part of the case. Only the rebuild clears it,
// after its writes committed.
const keyTouched = "touched"

// Touched is what keyTouched holds.
type Touched struct {
	Hosts   []string `json:"hosts,omitempty"`
	Formats []string `json:"formats,omitempty"`
	// All is set when every host must be rebuilt (a full rebuild was asked
	// for and did not finish).
	All bool `json:"all,omitempty"`
}

// Empty says nothing is waiting.
func (t Touched) Empty() bool { return !t.All && len(t.Hosts) == 0 && len(t.Formats) == 0 }

// Has reports whether format is among the touched formats.
func (t Touched) Has(format string) bool {
	for _, f := range t.Formats {
		if f == format {
			return true
		}
	}
	return false
}

// Touched returns what got events since the last ClearTouched.
func (s *Store) Touched() (Touched, error) {
	var t Touched
	v, err := s.idx.GetInternal([]byte(keyTouched))
	if err != nil {
		return t, fmt.Errorf("index %s: read touched hosts: %w", s.dir, err)
	}
	if len(v) == 0 {
		return t, nil
	}
	if err := json.Unmarshal(v, &t); err != nil {
		return t, fmt.Errorf("index %s: touched hosts %q: %w", s.dir, v, err)
	}
	return t, nil
}

// MarkAllTouched records that every host is to be rebuilt, before a full
// rebuild starts: if it does not finish, the next command redoes it whole.
func (s *Store) MarkAllTouched() error {
	t, err := s.Touched()
	if err != nil {
		return err
	}
	t.All = true
	return s.putTouched(t)
}

// ClearTouched removes what done covered: the hosts and formats a rebuild
// that has committed started from. Anything touched after done was read
// stays.
func (s *Store) ClearTouched(done Touched) error {
	cur, err := s.Touched()
	if err != nil {
		return err
	}
	if done.All {
		return s.putTouched(Touched{})
	}
	return s.putTouched(Touched{
		Hosts:   minus(cur.Hosts, done.Hosts),
		Formats: minus(cur.Formats, done.Formats),
		All:     cur.All,
	})
}

func (s *Store) putTouched(t Touched) error {
	if err := s.Failed(); err != nil {
		return err
	}
	if t.Empty() {
		if err := s.idx.DeleteInternal([]byte(keyTouched)); err != nil {
			return s.fail("clearing the touched hosts", fmt.Errorf("index %s: clear touched hosts: %w", s.dir, err))
		}
		return nil
	}
	if err := s.idx.SetInternal([]byte(keyTouched), t.encode()); err != nil {
		return s.fail("recording the touched hosts", fmt.Errorf("index %s: record touched hosts: %w", s.dir, err))
	}
	return nil
}

func (t Touched) encode() []byte {
	sort.Strings(t.Hosts)
	sort.Strings(t.Formats)
	b, _ := json.Marshal(t)
	return b
}

func minus(a, b []string) []string {
	drop := make(map[string]bool, len(b))
	for _, x := range b {
		drop[x] = true
	}
	var out []string
	for _, x := range a {
		if !drop[x] {
			out = append(out, x)
		}
	}
	return out
}

// touchedSet is the writer's copy of keyTouched.
type touchedSet struct {
	t       Touched
	hosts   map[string]bool
	formats map[string]bool
}

func newTouchedSet(t Touched) *touchedSet {
	ts := &touchedSet{t: t, hosts: map[string]bool{}, formats: map[string]bool{}}
	for _, h := range t.Hosts {
		ts.hosts[h] = true
	}
	for _, f := range t.Formats {
		ts.formats[f] = true
	}
	return ts
}

// add notes ev and reports whether the record changed.
func (ts *touchedSet) add(ev *schema.Event) bool {
	changed := false
	if !ts.hosts[ev.Host] {
		ts.hosts[ev.Host] = true
		ts.t.Hosts = append(ts.t.Hosts, ev.Host)
		changed = true
	}
	if !ts.formats[ev.Format] {
		ts.formats[ev.Format] = true
		ts.t.Formats = append(ts.t.Formats, ev.Format)
		changed = true
	}
	return changed
}
