package tui

// Yielding the index. The workbench reads a read-only store, beside any
// other reading command. An import in another process cannot start while
// it is open, so the workbench watches for writers waiting for the index
// (their yield requests, index/lock.go), gives the store up, shows who
// writes, and takes the store back read-only when they are done; the views
// then reload as after an import of its own.

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/index"
)

// yieldPoll is how often the workbench looks for a waiting writer: a
// second import waits at most this long (plus the time the views take to
// let go) before it starts.
const yieldPoll = 500 * time.Millisecond

// yieldTickMsg carries the writers that wait for the index now.
type yieldTickMsg struct{ writers []index.Holder }

// reopenedMsg says the workbench holds a store again (or why not).
type reopenedMsg struct{ err error }

// refreshMsg asks every view to load again what it shows: the index
// changed under it (an import, here or in another process).
type refreshMsg struct{}

// watchYield looks for waiting writers once, after yieldPoll.
func (m Model) watchYield() tea.Cmd {
	e := m.env
	return tea.Tick(yieldPoll, func(time.Time) tea.Msg {
		if e.ctx.Err() != nil {
			return nil // the program ended: no more ticks
		}
		return yieldTickMsg{writers: e.writers()}
	})
}

// writers are the processes other than this one waiting to write.
func (e *env) writers() []index.Holder {
	var ws []index.Holder
	for _, h := range index.YieldRequests(e.opts.IndexDir) {
		if h.PID != e.self {
			ws = append(ws, h)
		}
	}
	return ws
}

// yieldCmd gives the store up and takes it back once the writers are done.
func (m Model) yieldCmd() tea.Cmd {
	e := m.env
	return func() tea.Msg {
		if st := e.store.take(); st != nil {
			// A read-only close writes nothing: there is nothing to lose.
			_ = st.Close()
		}
		return e.reopenAfterWriters()
	}
}

// reopenCmd takes the store back after the workbench's own import closed
// its writable one.
func (m Model) reopenCmd() tea.Cmd {
	e := m.env
	return func() tea.Msg { return e.reopenAfterWriters() }
}

// reopenAfterWriters waits until no other process asks for the index, then
// opens it read-only. Waiting for the requests first matters: the write
// lock is not free until the writer's poll takes it, and a reader that
// took its shared lock back before would keep the writer waiting.
func (e *env) reopenAfterWriters() tea.Msg {
	for len(e.writers()) > 0 {
		select {
		case <-e.ctx.Done():
			return reopenedMsg{err: e.ctx.Err()}
		case <-time.After(yieldPoll / 10):
		}
	}
	st, err := e.reopen(e.ctx)
	if err != nil {
		return reopenedMsg{err: err}
	}
	e.store.put(st)
	return reopenedMsg{}
}

// reopen opens the index read-only, as the command that started the
// workbench wants (it may first finish a session rebuild left undone).
func (e *env) reopen(ctx context.Context) (*index.Store, error) {
	if e.opts.Reopen != nil {
		return e.opts.Reopen(ctx, nil)
	}
	return index.OpenContext(ctx, e.opts.IndexDir, index.OpenOptions{ReadOnly: true, Command: e.opts.Command})
}

// yieldText is the banner while the workbench has given the index up.
func yieldText(writers []index.Holder) string {
	if len(writers) == 0 {
		return "reopening the index…"
	}
	return fmt.Sprintf("%s is writing to this index; the workbench will reload when it finishes", index.HolderNames(writers))
}
