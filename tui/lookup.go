package tui

import (
	"context"
	"errors"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// sessionIndex finds stored sessions by key. The views ask it; none of
// them builds a query string to find a session.
type sessionIndex interface {
	// SessionOf is the session holding the event eventID.
	SessionOf(ctx context.Context, eventID string) (schema.Session, bool, error)
	// Session is the session sid.
	Session(ctx context.Context, sid string) (schema.Session, bool, error)
	// Hops are the sessions out of sid that started while it was open
	// (their parent is sid), oldest first.
	Hops(ctx context.Context, sid string) ([]schema.Session, error)
}

// storeSessions answers the lookups over the store's session documents
// until the store has them as methods; then env.sessions is the store.
type storeSessions struct{ st *index.Store }

func (s storeSessions) one(ctx context.Context, q string) (schema.Session, bool, error) {
	res, err := s.st.SearchSessions(ctx, index.Query{Q: q}, index.Page{Size: 1})
	if err != nil || len(res.Sessions) == 0 {
		return schema.Session{}, false, err
	}
	return res.Sessions[0], true, nil
}

func (s storeSessions) SessionOf(ctx context.Context, eventID string) (schema.Session, bool, error) {
	return s.one(ctx, quoteValue("events", eventID))
}

func (s storeSessions) Session(ctx context.Context, sid string) (schema.Session, bool, error) {
	return s.one(ctx, quoteValue("sid", sid))
}

// maxHops is how many hops out of one session the detail lists.
const maxHops = 100

func (s storeSessions) Hops(ctx context.Context, sid string) ([]schema.Session, error) {
	res, err := s.st.SearchSessions(ctx, index.Query{Q: quoteValue("parent", sid)}, index.Page{Size: maxHops, Oldest: true})
	if err != nil {
		return nil, err
	}
	return res.Sessions, nil
}

// openSessionOf opens the session holding an event in the Sessions view.
func openSessionOf(e *env, eventID string) tea.Cmd {
	ctx, find := e.ctx, e.sessions
	return func() tea.Msg {
		s, ok, err := find.SessionOf(ctx, eventID)
		if err != nil || !ok {
			return errMsg{errors.New("no session holds this event")}
		}
		return openSessionMsg{sid: s.SID}
	}
}
