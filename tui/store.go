package tui

import (
	"context"
	"errors"
	"sync"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// storeHolder is the store the views read. The workbench gives it up while
// another process writes to the index (yield.go) and swaps it for a
// writable one while its own import runs (importview.go). Views reach it
// only through acquire, so none touches a store that was closed: taking
// the store ends the reads under it and waits for them to return.
type storeHolder struct {
	mu    sync.Mutex
	idle  *sync.Cond // signalled when users drops to 0
	st    *index.Store
	users int
	// gen ends with the store: reads under it stop when it is taken.
	gen   context.Context
	stop  context.CancelFunc
	ended bool // close ran: a store put later is closed at once
	// orig is the store the workbench was started on: its caller closes it.
	orig *index.Store
	// closing is a store the workbench opened, closed by close while reads
	// still ran: the last of them closes it.
	closing *index.Store
}

// errNoStore is what a view gets while the workbench has given the index
// up; the banner says why.
var errNoStore = errors.New("the index is being reopened")

func newStoreHolder(st *index.Store) *storeHolder {
	h := &storeHolder{orig: st}
	h.idle = sync.NewCond(&h.mu)
	if st != nil {
		h.put(st)
	}
	return h
}

// acquire returns the store and a context that ends with ctx or when the
// store is taken; done must be called once the caller no longer touches
// the store.
func (h *storeHolder) acquire(ctx context.Context) (*index.Store, context.Context, func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.st == nil {
		return nil, ctx, func() {}, errNoStore
	}
	h.users++
	c, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(h.gen, cancel)
	var once sync.Once
	return h.st, c, func() {
		once.Do(func() {
			unhook()
			cancel()
			h.mu.Lock()
			var last *index.Store
			if h.users--; h.users == 0 {
				h.idle.Broadcast()
				last, h.closing = h.closing, nil
			}
			h.mu.Unlock()
			if last != nil {
				last.Close()
			}
		})
	}, nil
}

// take ends every read of the store, waits for them to return and hands
// the store over (the caller closes it); until put, views get errNoStore.
func (h *storeHolder) take() *index.Store {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.st
	h.st = nil
	if h.stop != nil {
		h.stop()
	}
	for h.users > 0 {
		h.idle.Wait()
	}
	return st
}

// put makes st the store the views read.
func (h *storeHolder) put(st *index.Store) {
	h.mu.Lock()
	if h.ended {
		h.mu.Unlock()
		st.Close()
		return
	}
	h.st = st
	h.gen, h.stop = context.WithCancel(context.Background())
	h.mu.Unlock()
}

// peek is the store held now, for a caller that owns it meanwhile (the
// import writing through it); views use acquire.
func (h *storeHolder) peek() *index.Store {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st
}

// readOnly reports whether the store held now is a read-only one (false
// while there is none).
func (h *storeHolder) readOnly() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st != nil && h.st.ReadOnly()
}

// present reports whether there is a store to read.
func (h *storeHolder) present() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st != nil
}

// close ends the holder for good (the program ended) without waiting for
// the reads still running: their contexts end, and a quit must not wait
// for a detection to notice. The store the workbench was started on is
// left to its caller, as before it reopened anything; one it opened itself
// is closed now, or by the last read still under it.
func (h *storeHolder) close() error {
	h.mu.Lock()
	h.ended = true
	st := h.st
	h.st = nil
	if h.stop != nil {
		h.stop()
	}
	if st == nil || st == h.orig {
		h.mu.Unlock()
		return nil
	}
	if h.users > 0 {
		h.closing = st
		h.mu.Unlock()
		return nil
	}
	h.mu.Unlock()
	return st.Close()
}

// withStore runs fn on the store under a context that also ends when the
// store is taken.
func withStore[T any](h *storeHolder, ctx context.Context, fn func(context.Context, *index.Store) (T, error)) (T, error) {
	st, ctx, done, err := h.acquire(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	defer done()
	return fn(ctx, st)
}

// The holder finds sessions for the views (sessionIndex) on whatever store
// it holds.

func (h *storeHolder) SessionOf(ctx context.Context, ev *schema.Event) (schema.Session, bool, error) {
	st, ctx, done, err := h.acquire(ctx)
	if err != nil {
		return schema.Session{}, false, err
	}
	defer done()
	return st.SessionOf(ctx, ev)
}

func (h *storeHolder) Session(ctx context.Context, sid string) (schema.Session, bool, error) {
	st, ctx, done, err := h.acquire(ctx)
	if err != nil {
		return schema.Session{}, false, err
	}
	defer done()
	return st.Session(ctx, sid)
}

func (h *storeHolder) Hops(ctx context.Context, sid string) ([]schema.Session, error) {
	return withStore(h, ctx, func(ctx context.Context, st *index.Store) ([]schema.Session, error) {
		return st.Hops(ctx, sid)
	})
}
