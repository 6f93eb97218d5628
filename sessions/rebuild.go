package sessions

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// Stats says what Rebuild did.
type Stats struct {
	Events   int           `json:"events"`   // events fed to the builder
	Sessions int           `json:"sessions"` // sessions after the rebuild
	Written  int           `json:"written"`  // session documents added or changed
	Deleted  int           `json:"deleted"`  // session documents removed
	Took     time.Duration `json:"took"`
}

// keyAddrBook holds the learned address book (JSON) inside the index.
const keyAddrBook = "sessions/addrbook"

// Rebuild rebuilds the sessions of the given hosts (nil = all) from the
// store's events and stores them. Used by `sshtrail import` (with the hosts
// that got new events) and by a full `sshtrail sessions --rebuild`.
//
// Incremental: events of other hosts are skipped; their sessions are
// re-linked from the builder state stored with them, so hops between a
// rebuilt host and an old one are still found. Zeek records and ssh client
// processes are always re-read (they join sessions of any host). Only
// session documents whose content changed are rewritten.
//
// The store's touched record (index.Touched) says which hosts still need
// it: a full rebuild marks every host first, and each rebuild clears what
// it covered only after its writes committed, so one that is killed or
// fails is finished by the next Finish.
func Rebuild(ctx context.Context, st *index.Store, opts Options, hosts []string) (*Stats, error) {
	if hosts == nil {
		if err := st.MarkAllTouched(); err != nil {
			return nil, fmt.Errorf("sessions: %w", err)
		}
	}
	stats, err := rebuild(ctx, st, opts, hosts)
	if err != nil {
		return nil, err
	}
	done := index.Touched{Hosts: hosts, All: hosts == nil}
	if err := st.ClearTouched(done); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return stats, nil
}

// Finish brings the sessions up to date with the events: it rebuilds the
// hosts that got events since the last rebuild (every host when network
// records came in, since they join sessions of any host, or when a full
// rebuild did not finish). It does nothing, quickly, when nothing is
// waiting. ran says whether it rebuilt anything.
func Finish(ctx context.Context, st *index.Store, opts Options) (stats *Stats, ran bool, err error) {
	t, err := st.Touched()
	if err != nil {
		return nil, false, fmt.Errorf("sessions: %w", err)
	}
	if t.Empty() {
		return nil, false, nil
	}
	hosts := Pending(t)
	if stats, err = Rebuild(ctx, st, opts, hosts); err != nil {
		return nil, true, err
	}
	if err := st.ClearTouched(index.Touched{Formats: t.Formats}); err != nil {
		return nil, true, fmt.Errorf("sessions: %w", err)
	}
	return stats, true, nil
}

// Pending is the hosts a touched record asks to rebuild (nil: all).
func Pending(t index.Touched) []string {
	if t.All || t.Has(schema.FormatZeekSSH) || t.Has(schema.FormatZeekConn) {
		return nil
	}
	if t.Hosts == nil {
		return []string{}
	}
	return t.Hosts
}

func rebuild(ctx context.Context, st *index.Store, opts Options, hosts []string) (*Stats, error) {
	t0 := time.Now()
	opts = opts.withDefaults()
	stats := &Stats{}
	only := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		only[h] = true
	}
	want := func(h string) bool { return hosts == nil || only[h] }
	sp, err := newSpill(st.Dir())
	if err != nil {
		return nil, err
	}
	defer sp.close()
	b := newBuilder(opts)
	b.spill = sp
	opts.phase("sessions-scan")
	err = st.Scan(ctx, func(ev *schema.Event) error {
		switch {
		case ev.Format == schema.FormatZeekSSH || ev.Format == schema.FormatZeekConn || want(ev.Host):
			stats.Events++
			b.Add(ev)
		case ev.Action == schema.ActionProcess && isSSHClient(ev):
			stats.Events++
			b.addClient(ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sessions: scan: %w", err)
	}
	b.finish()
	bases := b.lout

	// What is stored, as a digest per sid: enough to skip unchanged
	// documents without holding every stored session in memory.
	stored := map[string][digestLen]byte{}
	err = st.EachSessionDoc(ctx, nil, func(sd index.SessionDoc) error {
		js, _ := json.Marshal(sd.Session)
		stored[sd.Session.SID] = digest(sd.Group, js, sd.State)
		if sd.Group == "" || want(sd.Group) {
			return nil
		}
		var list []*sess
		if err := json.Unmarshal(sd.State, &list); err != nil {
			return fmt.Errorf("sessions: state of %s: %w", sd.Session.SID, err)
		}
		for _, base := range list {
			if base.EvN > 0 {
				if base.EvOff < 0 || base.EvOff+base.EvN > len(sd.Session.Events) {
					return fmt.Errorf("sessions: state of %s: events %d+%d of %d", sd.Session.SID, base.EvOff, base.EvN, len(sd.Session.Events))
				}
				base.S.Events = sd.Session.Events[base.EvOff : base.EvOff+base.EvN]
			}
			bases = append(bases, sp.putL(b.syms, base))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := sp.sealed(); err != nil {
		return nil, err
	}

	clients := make([]clientL, len(b.clients))
	for i, c := range b.clients {
		clients[i].client = c
		clients[i].client.in = nil // the full session: only its record is needed
		if c.in != nil {
			clients[i].inL = c.in.lk
		}
	}
	l := clink(b.syms, bases, clients, opts)
	bases, b, clients = nil, nil, nil
	l.byNode, l.final = nil, nil
	opts.phase("sessions-write")
	// Written a batch at a time, each session read back from the spill
	// file and its folds replayed for its batch only.
	const chunk = 2000
	put := make([]index.SessionDoc, 0, chunk)
	written := 0
	flush := func() error {
		written += len(put)
		err := st.PutSessions(ctx, put)
		clear(put)
		put = put[:0]
		return err
	}
	for i, f := range l.all {
		s, state, err := l.replay(sp, f)
		if err != nil {
			return nil, err
		}
		l.all[i] = nil // written: link is done with it
		se := s.S
		js, _ := json.Marshal(se)
		d, ok := stored[se.SID]
		delete(stored, se.SID)
		if ok && d == digest(group(s), js, state) {
			continue
		}
		put = append(put, index.SessionDoc{Session: se, Group: group(s), State: state, BytesOut: s.BytesOut, BytesIn: s.BytesIn})
		if len(put) == chunk {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	// What is left of the stored digests is sessions the rebuild no
	// longer makes.
	del := make([]string, 0, len(stored))
	for sid := range stored {
		del = append(del, sid)
	}
	if err := st.DeleteSessionIDs(ctx, del); err != nil {
		return nil, err
	}
	book, _ := json.Marshal(l.book)
	if err := st.SetInternal(keyAddrBook, book); err != nil {
		return nil, fmt.Errorf("sessions: save address book: %w", err)
	}
	stats.Sessions, stats.Written, stats.Deleted = len(l.all), written, len(del)
	stats.Took = time.Since(t0)
	return stats, nil
}

// digestLen: half a SHA-256 tells a changed session from an unchanged
// one, and the map of them is per stored session.
const digestLen = 16

func digest(group string, js, state []byte) [digestLen]byte {
	h := sha256.New()
	h.Write([]byte(group))
	h.Write([]byte{0})
	h.Write(js)
	h.Write([]byte{0})
	h.Write(state)
	var d [32]byte
	h.Sum(d[:0])
	return [digestLen]byte(d[:digestLen])
}

// stateOf is the stored builder state: the host-source sessions behind one
// final session (a JSON array; empty for network-only sessions), each
// without its event ids (EvOff, EvN say where they lie in the session's).
func stateOf(bases [][]byte) []byte {
	if len(bases) == 0 {
		return nil
	}
	out := []byte{'['}
	for i, b := range bases {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, ']')
}

// LoadAddrBook returns the host addresses learned by the last Rebuild.
func LoadAddrBook(st *index.Store) (*AddrBook, error) {
	a := &AddrBook{Hosts: map[string][]string{}}
	js, err := st.GetInternal(keyAddrBook)
	if err != nil {
		return nil, fmt.Errorf("sessions: address book: %w", err)
	}
	if len(js) > 0 {
		if err := json.Unmarshal(js, a); err != nil {
			return nil, fmt.Errorf("sessions: address book: %w", err)
		}
	}
	if a.Hosts == nil {
		a.Hosts = map[string][]string{}
	}
	a.rebuildIndex()
	return a, nil
}

// Filter selects sessions for `sshtrail sessions`: user, host, source
// address or CIDR block, and a time window the sessions overlap.
type Filter = index.SessionFilter

// List returns the stored sessions matching f, oldest first. Used by
// `sshtrail sessions`.
func List(ctx context.Context, st *index.Store, f Filter) ([]schema.Session, error) {
	return st.Sessions(ctx, f)
}

// AllPaths loads every stored session and returns its paths with at least
// minHops hops. Used by `sshtrail paths`.
func AllPaths(ctx context.Context, st *index.Store, minHops int) ([]Path, error) {
	all, err := st.Sessions(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	return Paths(all, minHops), nil
}
