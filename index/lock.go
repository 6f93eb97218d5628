package index

// The lock protocol of an index directory. Every process that opens the
// store holds a flock on <index>/lock: readers LOCK_SH, the one writer
// LOCK_EX, so any number of read-only commands and workbenches share the
// store while an import has it alone. Beside the lock:
//
//   - holders/<pid>-<fd>: who holds it (pid, command, mode), so a process
//     that has to wait can say for whom;
//   - yield/<pid>-<fd>: a writer that waits for the lock. A long-lived
//     reader (the workbench) watches for these, closes its store and takes
//     it back when the writer is done; short commands just finish.
//
// Both are advisory: entries of dead processes are ignored (and removed),
// and the flock alone decides who may open the store.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	holdersDir = "holders"
	yieldDir   = "yield"
	// lockPoll is how often a waiting open tries the lock again. A blocking
	// flock cannot be cancelled; polling can, and 50 ms is well under what
	// a person notices after the other process closed.
	lockPoll = 50 * time.Millisecond
)

// Holder is a process that has the index open, or waits to write to it.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"` // "sshtrail tui"
	Write   bool      `json:"write"`
	Since   time.Time `json:"since"`
}

func (h Holder) String() string { return fmt.Sprintf("%s (pid %d)", h.Command, h.PID) }

// HolderNames lists holders for a message: "sshtrail tui (pid 12), sshtrail
// search (pid 40)", or "another sshtrail process" when none registered
// (an older sshtrail, or one that just left).
func HolderNames(hs []Holder) string {
	if len(hs) == 0 {
		return "another sshtrail process"
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.String()
	}
	return strings.Join(names, ", ")
}

// OpenOptions say how OpenContext opens a store.
type OpenOptions struct {
	// Create makes an empty index when dir holds none (writers only).
	Create bool
	// ReadOnly takes the shared lock and opens everything read-only.
	ReadOnly bool
	// Command names this process to the ones that wait for it
	// ("sshtrail import"); empty is the program's name.
	Command string
	// OnWait is called when the lock is not free, with the processes that
	// hold it, and again whenever that set changes, until the open
	// succeeds or ctx ends.
	OnWait func(holders []Holder)
}

// OpenReadOnly opens an existing index for reading, beside any other
// readers. It does not wait: while a writer holds the index it fails with
// ErrLocked naming it (OpenContext waits).
func OpenReadOnly(dir string) (*Store, error) {
	return open(context.Background(), dir, OpenOptions{ReadOnly: true}, false)
}

// OpenContext opens dir as o says, waiting while the lock is held the
// other way: a reader waits for a writer, a writer for everyone. A waiting
// writer registers a yield request, which workbenches answer by closing
// their store. The wait ends with ctx.
func OpenContext(ctx context.Context, dir string, o OpenOptions) (*Store, error) {
	return open(ctx, dir, o, true)
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Holders are the live processes registered as holding dir's lock, oldest
// first.
func Holders(dir string) []Holder { return registered(filepath.Join(dir, holdersDir)) }

// YieldRequests are the live processes waiting to write to dir, oldest
// first.
func YieldRequests(dir string) []Holder { return registered(filepath.Join(dir, yieldDir)) }

// lockIndex opens dir's lock file and takes the lock o asks for, waiting
// (if wait) while it is held the other way.
func lockIndex(ctx context.Context, dir string, o OpenOptions, wait bool) (*os.File, error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil && o.ReadOnly {
		// A case on read-only media or owned by another user can still be
		// read: flock works on a descriptor opened for reading.
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	how := syscall.LOCK_EX
	if o.ReadOnly {
		how = syscall.LOCK_SH
	}
	me := Holder{PID: os.Getpid(), Command: o.Command, Write: !o.ReadOnly}
	if me.Command == "" {
		me.Command = filepath.Base(os.Args[0])
	}
	ok, err := tryLock(f, how)
	if err == nil && !ok && !wait {
		f.Close()
		return nil, fmt.Errorf("index %s is %w (%s)", dir, ErrLocked, HolderNames(Holders(dir)))
	}
	if err == nil && !ok {
		err = waitLock(ctx, dir, f, how, me, o.OnWait)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	me.Since = time.Now().UTC()
	// Best effort: an unwritable directory (read-only media) still opens,
	// only waiting processes cannot name this one.
	_ = register(filepath.Join(dir, holdersDir), f, me)
	return f, nil
}

// waitLock polls for the lock until it is taken or ctx ends.
func waitLock(ctx context.Context, dir string, f *os.File, how int, me Holder, onWait func([]Holder)) error {
	if how == syscall.LOCK_EX {
		me.Since = time.Now().UTC()
		if err := register(filepath.Join(dir, yieldDir), f, me); err == nil {
			// Withdrawn once the lock is ours or the wait is given up: a
			// request left behind would make the workbenches yield for
			// nobody.
			defer unregister(filepath.Join(dir, yieldDir), f)
		}
	}
	last := "\x00"
	for {
		hs := Holders(dir)
		if names := HolderNames(hs); names != last && onWait != nil {
			onWait(hs)
			last = names
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("index %s: gave up waiting for %s: %w", dir, HolderNames(hs), ctx.Err())
		case <-time.After(lockPoll):
		}
		if ok, err := tryLock(f, how); err != nil || ok {
			return err
		}
	}
}

// tryLock takes the lock without blocking and reports whether it got it.
func tryLock(f *os.File, how int) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
	}
}

// entryName names a registration after the process and the lock's
// descriptor: unique while the lock is held, even for several opens of
// one index in one process, and needing no state beside the descriptor.
func entryName(f *os.File) string {
	return strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(uint64(f.Fd()), 10)
}

func register(dir string, f *os.File, h Holder) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	registered(dir) // sweeps the entries killed processes left
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	// Written whole under a temporary name and renamed: a reader never sees
	// half an entry.
	name := filepath.Join(dir, entryName(f))
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, name)
}

func unregister(dir string, f *os.File) { os.Remove(filepath.Join(dir, entryName(f))) }

// registered reads the entries in dir of processes that are alive,
// removing those of dead ones (a killed process cannot remove its own).
func registered(dir string) []Holder {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Holder
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var h Holder
		if json.Unmarshal(b, &h) != nil || h.PID <= 0 {
			continue
		}
		if !alive(h.PID) {
			os.Remove(path)
			continue
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Since.Before(out[j].Since) })
	return out
}

// alive reports whether pid is a running process (EPERM: it runs, as
// another user).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
