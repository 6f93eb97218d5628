package main

// How commands open the index. Reading commands open it read-only and share
// it with each other and with open workbenches; import, sessions --rebuild
// and the finishing of a pending session rebuild take it alone. Either way
// a command that finds the index held the other way waits, and says for
// whom, instead of failing: workbenches give the index up to a writer that
// waits (index/lock.go).

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sshtrail/sshtrail/index"
)

// openStore opens the index for a reading command, after finishing a
// session rebuild that an earlier import left undone (killed, out of disk,
// --no-sessions): no command shows sessions for part of the case.
func (a *app) openStore() (*index.Store, error) {
	return a.openReader(a.ctx, a.errOut, a.waitMessage(a.errOut, false))
}

// openReader is openStore saying what it does on w and how it waits with
// onWait (the workbench reopens through it, quietly: its screen is up).
func (a *app) openReader(ctx context.Context, w io.Writer, onWait func([]index.Holder)) (*index.Store, error) {
	s, err := a.openRead(ctx, w, onWait)
	if err != nil {
		return nil, err
	}
	t, err := s.Touched()
	if err != nil {
		s.Close()
		return nil, err
	}
	if t.Empty() {
		return s, nil
	}
	// The rebuild writes: the read-only store goes, the index is opened
	// alone for the rebuild, then read-only again. Waiting for the write
	// lock with the read lock still held would wait for ourselves.
	s.Close()
	ws, err := a.openWriteCtx(ctx, w, false, a.waitMessage(w, true))
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		fmt.Fprintf(w, "sshtrail: sessions are out of date (an earlier import left their rebuild undone) and the index cannot be opened for writing to finish it: %v; sessions are shown as they are\n", err)
		return a.openRead(ctx, w, onWait)
	}
	_, err = a.finishSessions(ws, w)
	if cerr := ws.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("index %s: close after the session rebuild: %w", a.indexDir(), cerr)
	}
	if err != nil {
		return nil, err
	}
	return a.openRead(ctx, w, onWait)
}

// openRead opens the index read-only as it is.
func (a *app) openRead(ctx context.Context, w io.Writer, onWait func([]index.Holder)) (*index.Store, error) {
	return a.openWith(ctx, w, index.OpenOptions{ReadOnly: true, OnWait: onWait})
}

// openWriter opens the index alone for a command that writes (import,
// sessions --rebuild), creating it if create; it waits for the readers.
func (a *app) openWriter(create bool) (*index.Store, error) {
	return a.openWriteCtx(a.ctx, a.errOut, create, a.waitMessage(a.errOut, true))
}

func (a *app) openWriteCtx(ctx context.Context, w io.Writer, create bool, onWait func([]index.Holder)) (*index.Store, error) {
	return a.openWith(ctx, w, index.OpenOptions{Create: create, OnWait: onWait})
}

// openWith opens the index as opts say, on behalf of this command, and
// says on w what the open changed.
func (a *app) openWith(ctx context.Context, w io.Writer, opts index.OpenOptions) (*index.Store, error) {
	opts.Command = a.command
	s, err := index.OpenContext(ctx, a.indexDir(), opts)
	if errors.Is(err, index.ErrNoIndex) {
		return nil, fmt.Errorf("no index at %s: import logs first (sshtrail import PATH...) or pass --index: %w", a.indexDir(), index.ErrNoIndex)
	}
	if err != nil {
		return nil, err
	}
	a.sayNotes(w, s)
	return s, nil
}

// waitMessage says on w, once per change of the holders, whom a command
// waits for: a writer waits for everyone to release the index, a reader
// for the writer to finish.
func (a *app) waitMessage(w io.Writer, write bool) func([]index.Holder) {
	return func(hs []index.Holder) {
		if write {
			fmt.Fprintf(w, "sshtrail: waiting for %s to release the index…\n", index.HolderNames(hs))
		} else {
			fmt.Fprintf(w, "sshtrail: waiting for %s to finish…\n", index.HolderNames(hs))
		}
	}
}

// sayNotes prints what opening the index changed (a loose mode
// tightened) on w.
func (a *app) sayNotes(w io.Writer, s *index.Store) {
	for _, n := range s.Notes() {
		fmt.Fprintln(w, "sshtrail:", n)
	}
}
