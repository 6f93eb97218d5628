package sessions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/index"
)

// Count is one value and how often it was seen.
type Count struct {
	Value string `json:"value"`
	Host  string `json:"host,omitempty"` // the host an address belongs to, when known
	Count int    `json:"count"`
}

// PivotCard is everything about one user, host or address.
type PivotCard struct {
	Kind      string    `json:"kind"` // user, host, ip
	Value     string    `json:"value"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
	Events    uint64    `json:"events"`
	Sources   []Count   `json:"sources,omitempty"` // formats
	Success   uint64    `json:"success"`           // auth_success events
	Failure   uint64    `json:"failure"`           // auth_failure + invalid_user events
	Methods   []Count   `json:"methods,omitempty"` // of successful logons
	KeyFPs    []Count   `json:"key_fps,omitempty"`
	Users     []Count   `json:"users,omitempty"` // accounts in its sessions
	Addresses []string  `json:"addresses,omitempty"`
	// PeersIn: where its sessions came from (user: source addresses; host,
	// ip: who logged into it). PeersOut: where sessions went (user: hosts it
	// logged into; host, ip: hosts logged into from it).
	PeersIn       []Count         `json:"peers_in,omitempty"`
	PeersOut      []Count         `json:"peers_out,omitempty"`
	SessionsTotal uint64          `json:"sessions_total"`
	Sessions      []index.Session `json:"sessions,omitempty"` // newest first, at most PivotSessions
}

// PivotSessions caps the sessions a card lists (SessionsTotal has them all).
const PivotSessions = 200

// quote makes v one exact value of a keyword field in the query syntax,
// whatever it holds (quotes, spaces, parentheses from hostile logs).
func quote(field, v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	return field + `:"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
}

func anyOf(field string, vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = quote(field, v)
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// Pivot gathers the card for kind "user", "host" or "ip". Used by
// `sshtrail pivot`.
func Pivot(ctx context.Context, st *index.Store, kind, value string) (*PivotCard, error) {
	book, err := LoadAddrBook(st)
	if err != nil {
		return nil, err
	}
	card := &PivotCard{Kind: kind, Value: value}
	// evQ: every event about it; authQ: the logon attempts it made (user,
	// ip) or received (host); inQ/outQ: sessions into it / out of it.
	var evQ, authQ, inQ, outQ string
	switch kind {
	case "user":
		evQ = quote("user", value)
		authQ, inQ = evQ, evQ
	case "host":
		card.Addresses = book.Addresses(value)
		inQ = quote("host", value)
		authQ = inQ
		evQ = "(" + inQ + " OR " + quote("dst_host", value) + ")"
		if len(card.Addresses) > 0 {
			outQ = anyOf("src_ip", card.Addresses)
			authQ = "(" + inQ + " OR " + anyOf("dst_ip", card.Addresses) + ")"
			evQ = "(" + evQ + " OR " + anyOf("dst_ip", card.Addresses) + " OR " + outQ + ")"
		}
	case "ip":
		if h := book.HostOf(value); h != "" {
			card.Addresses = []string{h}
		}
		inQ, outQ = quote("dst_ip", value), quote("src_ip", value)
		authQ = outQ
		evQ = "(" + inQ + " OR " + outQ + ")"
	default:
		return nil, fmt.Errorf("pivot: kind %q is not user, host or ip", kind)
	}
	if err := eventSide(ctx, st, card, evQ, authQ); err != nil {
		return nil, err
	}
	if err := sessionSide(ctx, st, book, card, inQ, outQ); err != nil {
		return nil, err
	}
	return card, nil
}

func eventSide(ctx context.Context, st *index.Store, card *PivotCard, evQ, authQ string) error {
	q := index.Query{Q: evQ}
	first, err := st.Search(ctx, q, index.Page{Size: 1, Oldest: true})
	if err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	card.Events = first.Total
	if len(first.Events) == 0 {
		return nil
	}
	card.FirstSeen = first.Events[0].TS
	last, err := st.Search(ctx, q, index.Page{Size: 1})
	if err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	card.LastSeen = last.Events[0].TS
	if card.Success, err = st.Count(ctx, index.Query{Q: authQ + " action:auth_success"}); err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	if card.Failure, err = st.Count(ctx, index.Query{Q: authQ + " (action:auth_failure OR action:invalid_user)"}); err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	fs, err := st.Facets(ctx, q, []string{"format"}, 20)
	if err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	card.Sources = counts(fs[0], nil)
	if card.Success > 0 {
		fs, err = st.Facets(ctx, index.Query{Q: authQ + " action:auth_success"}, []string{"method", "key_fp"}, 20)
		if err != nil {
			return fmt.Errorf("pivot: %w", err)
		}
		card.Methods, card.KeyFPs = counts(fs[0], nil), counts(fs[1], nil)
	}
	return nil
}

func sessionSide(ctx context.Context, st *index.Store, book *AddrBook, card *PivotCard, inQ, outQ string) error {
	all := inQ
	if outQ != "" {
		all = "(" + inQ + " OR " + outQ + ")"
	}
	res, err := st.SearchSessions(ctx, index.Query{Q: all}, index.Page{Size: PivotSessions})
	if err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	card.SessionsTotal, card.Sessions = res.Total, res.Sessions
	if res.Total == 0 {
		return nil
	}
	if card.Kind == "user" {
		fs, err := st.FacetSessions(ctx, index.Query{Q: inQ}, []string{"src_ip", "host"}, 50)
		if err != nil {
			return fmt.Errorf("pivot: %w", err)
		}
		card.PeersIn, card.PeersOut = counts(fs[0], book), counts(fs[1], nil)
		return nil
	}
	fs, err := st.FacetSessions(ctx, index.Query{Q: inQ}, []string{"src_ip", "user"}, 50)
	if err != nil {
		return fmt.Errorf("pivot: %w", err)
	}
	card.PeersIn, card.Users = counts(fs[0], book), counts(fs[1], nil)
	if outQ != "" {
		fs, err := st.FacetSessions(ctx, index.Query{Q: outQ}, []string{"host", "dst_ip"}, 50)
		if err != nil {
			return fmt.Errorf("pivot: %w", err)
		}
		card.PeersOut = counts(fs[0], nil)
		for _, c := range counts(fs[1], book) {
			if c.Host == "" { // a network-only session: no host, only an address
				card.PeersOut = append(card.PeersOut, c)
			}
		}
	}
	return nil
}

func counts(f index.Facet, book *AddrBook) []Count {
	var out []Count
	for _, t := range f.Terms {
		c := Count{Value: t.Term, Count: t.Count}
		if book != nil {
			c.Host = book.HostOf(t.Term)
		}
		out = append(out, c)
	}
	return out
}
