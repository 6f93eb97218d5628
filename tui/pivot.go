package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// pivotStack is the trail of pivots the analyst followed: the result each
// one left (esc restores it exactly: query, results, selection, scroll) and
// its crumb. gen counts pivots and returns; a card that comes back for a
// pivot the analyst already left is dropped.
type pivotStack struct {
	frames []pivotFrame
	gen    int
	cancel context.CancelFunc // ends the card being gathered
}

type pivotFrame struct {
	left  result // what the pivot left, restored by pop
	crumb string // "user root": where the pivot went
}

type pivotMsg struct {
	gen  int
	card *sessions.PivotCard
	err  error
}

// pivotFields are the fields a pivot kind searches.
var pivotFields = map[string]string{"user": "user", "host": "host", "ip": "src_ip"}

// pivotQuery is everything about one value: an address on either end.
func pivotQuery(kind, value string) string {
	if kind == "ip" {
		return "(" + quoteValue("src_ip", value) + " OR " + quoteValue("dst_ip", value) + ")"
	}
	return quoteValue(pivotFields[kind], value)
}

// push records the result being left for a pivot on kind value and
// starts gathering the pivot's card.
func (p *pivotStack) push(e *env, left result, kind, value string) tea.Cmd {
	p.frames = append(p.frames, pivotFrame{left: left, crumb: kind + " " + value})
	p.drop()
	ctx, cancel := context.WithCancel(e.ctx)
	p.cancel = cancel
	gen, h := p.gen, e.store
	return func() tea.Msg {
		card, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) (*sessions.PivotCard, error) {
			return sessions.Pivot(ctx, st, kind, value)
		})
		return pivotMsg{gen: gen, card: card, err: err}
	}
}

// pop returns the result the last pivot left.
func (p *pivotStack) pop() (result, bool) {
	if len(p.frames) == 0 {
		return result{}, false
	}
	top := p.frames[len(p.frames)-1]
	p.frames = p.frames[:len(p.frames)-1]
	p.drop()
	return top.left, true
}

// drop ends the card in flight and makes it stale.
func (p *pivotStack) drop() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.gen++
}

// current reports whether a card belongs to the pivot on screen.
func (p *pivotStack) current(msg pivotMsg) bool { return msg.gen == p.gen }

// crumbs is the trail line ("" before the first pivot).
func (p *pivotStack) crumbs(w int) string {
	if len(p.frames) == 0 {
		return ""
	}
	var cs []string
	for _, f := range p.frames {
		cs = append(cs, f.crumb)
	}
	return styleCrumb.Render(fit("search › "+strings.Join(cs, " › ")+"   (esc: back)", w))
}

// cardView draws the pivot's card: when the value was seen, its logons,
// peers, methods, keys and users.
func cardView(c *sessions.PivotCard, loc *time.Location, w int) string {
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	counts := func(cs []sessions.Count) string {
		var p []string
		for i, x := range cs {
			if i == 4 {
				p = append(p, fmt.Sprintf("+%d", len(cs)-4))
				break
			}
			p = append(p, fmt.Sprintf("%s×%d", Sanitize(x.Value), x.Count))
		}
		if len(p) == 0 {
			return "-"
		}
		return strings.Join(p, " ")
	}
	lines := []string{
		styleTitle.Render(fit(fmt.Sprintf("%s %s — first %s, last %s, %d events, logons %d ok / %d failed, %d sessions",
			c.Kind, c.Value, when(c.FirstSeen), when(c.LastSeen), c.Events, c.Success, c.Failure, c.SessionsTotal), w)),
		fit("  peers in:  "+counts(c.PeersIn)+"   peers out: "+counts(c.PeersOut), w),
		fit("  methods:   "+counts(c.Methods)+"   keys: "+counts(c.KeyFPs)+"   users: "+counts(c.Users), w),
	}
	return strings.Join(lines, "\n")
}
