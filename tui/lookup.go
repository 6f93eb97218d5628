package tui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/schema"
)

// sessionIndex finds stored sessions by key. The views ask it; none of
// them builds a query string to find a session.
type sessionIndex interface {
	// SessionOf is the session holding the event ev.
	SessionOf(ctx context.Context, ev *schema.Event) (schema.Session, bool, error)
	// Session is the session sid.
	Session(ctx context.Context, sid string) (schema.Session, bool, error)
	// Hops are the sessions out of sid that started while it was open
	// (their parent is sid), oldest first.
	Hops(ctx context.Context, sid string) ([]schema.Session, error)
}

// openSessionOf opens the session holding an event in the Sessions view.
func openSessionOf(e *env, ev *schema.Event) tea.Cmd {
	ctx, find := e.ctx, e.sessions
	return func() tea.Msg {
		s, ok, err := find.SessionOf(ctx, ev)
		if err != nil || !ok {
			return errMsg{errors.New("no session holds this event")}
		}
		return openSessionMsg{sid: s.SID}
	}
}
