package sessions

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
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
	PeersIn       []Count          `json:"peers_in,omitempty"`
	PeersOut      []Count          `json:"peers_out,omitempty"`
	SessionsTotal uint64           `json:"sessions_total"`
	Sessions      []schema.Session `json:"sessions,omitempty"` // newest first, at most PivotSessions
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

// eventSide fills the event facts in one pass over its events (every
// facet, hours included), then finds the first and last event inside the
// first and last hour only: sorting all events of a busy account twice cost
// more than everything else.
func eventSide(ctx context.Context, st *index.Store, card *PivotCard, evQ, authQ string) error {
	all, err := eventRequest(ctx, st, evQ, "", "format", "action", "method", "key_fp", "tsh")
	if err != nil {
		return err
	}
	card.Events = all.Total
	if all.Total == 0 {
		return nil
	}
	hours := facet(all, "tsh")
	if len(hours.Terms) > 0 {
		lo, hi := hours.Terms[0].Term, hours.Terms[0].Term
		for _, h := range hours.Terms {
			lo, hi = min(lo, h.Term), max(hi, h.Term)
		}
		first, err := eventRequest(ctx, st, evQ+" "+quote("tsh", lo), "ts")
		if err != nil {
			return err
		}
		last, err := eventRequest(ctx, st, evQ+" "+quote("tsh", hi), "-ts")
		if err != nil {
			return err
		}
		card.FirstSeen, card.LastSeen = sortTime(first), sortTime(last)
	}
	card.Sources = counts(facet(all, "format"), nil)
	auth := all
	if authQ != evQ {
		if auth, err = eventRequest(ctx, st, authQ, "", "action", "method", "key_fp"); err != nil {
			return err
		}
	}
	for _, c := range counts(facet(auth, "action"), nil) {
		switch c.Value {
		case schema.ActionAuthSuccess:
			card.Success += uint64(c.Count)
		case schema.ActionAuthFailure, schema.ActionInvalidUser:
			card.Failure += uint64(c.Count)
		}
	}
	card.Methods, card.KeyFPs = counts(facet(auth, "method"), nil), counts(facet(auth, "key_fp"), nil)
	return nil
}

// eventRequest runs q over events: the first hit by sortBy ("" = no hit)
// and the top values of each facet field.
func eventRequest(ctx context.Context, st *index.Store, q, sortBy string, facets ...string) (*index.Summary, error) {
	o := index.SummaryOptions{Facets: map[string]int{}}
	if sortBy != "" {
		o.Size, o.SortBy = 1, []string{sortBy}
	}
	for _, f := range facets {
		o.Facets[f] = 20
		if f == "tsh" {
			o.Facets[f] = 1 << 20 // every hour: the first and last are wanted
		}
	}
	res, err := st.Summarize(ctx, index.TypeEvent, index.Query{Q: q}, o)
	if err != nil {
		return nil, fmt.Errorf("pivot: %w", err)
	}
	return res, nil
}

func sortTime(res *index.Summary) time.Time {
	if len(res.Sort) == 0 || len(res.Sort[0]) == 0 {
		return time.Time{}
	}
	t, _ := time.Parse(index.TSLayout, res.Sort[0][0])
	return t
}

func facet(res *index.Summary, field string) index.Facet { return res.Facets[field] }

// sessionSide lists its sessions and counts its peers: sessions into it
// and (for hosts and addresses) out of it.
func sessionSide(ctx context.Context, st *index.Store, book *AddrBook, card *PivotCard, inQ, outQ string) error {
	all := inQ
	if outQ != "" {
		all = "(" + inQ + " OR " + outQ + ")"
	}
	inFacets := []string{"src_ip", "user"}
	if card.Kind == "user" {
		inFacets = []string{"src_ip", "host"}
	}
	list, err := sessionRequest(ctx, st, all, PivotSessions, inFacets...)
	if err != nil || list.Total == 0 {
		return err
	}
	card.SessionsTotal = list.Total
	card.Sessions = list.Sessions
	in := list
	if outQ != "" { // the list above mixed both directions
		if in, err = sessionRequest(ctx, st, inQ, 0, inFacets...); err != nil {
			return err
		}
	}
	card.PeersIn = counts(facet(in, "src_ip"), book)
	if card.Kind == "user" {
		card.PeersOut = counts(facet(in, "host"), nil)
		return nil
	}
	card.Users = counts(facet(in, "user"), nil)
	if outQ == "" {
		return nil
	}
	out, err := sessionRequest(ctx, st, outQ, 0, "host", "dst_ip")
	if err != nil {
		return err
	}
	card.PeersOut = counts(facet(out, "host"), nil)
	for _, c := range counts(facet(out, "dst_ip"), book) {
		if c.Host == "" { // a network-only session: no host, only an address
			card.PeersOut = append(card.PeersOut, c)
		}
	}
	return nil
}

// sessionRequest runs q over sessions: the newest size sessions and the
// top values of each facet field.
func sessionRequest(ctx context.Context, st *index.Store, q string, size int, facets ...string) (*index.Summary, error) {
	o := index.SummaryOptions{Size: size, Facets: map[string]int{}}
	for _, f := range facets {
		o.Facets[f] = 50
	}
	res, err := st.Summarize(ctx, index.TypeSession, index.Query{Q: q}, o)
	if err != nil {
		return nil, fmt.Errorf("pivot: %w", err)
	}
	return res, nil
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
