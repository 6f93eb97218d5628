package index

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/sshtrail/sshtrail/schema"
)

// SummaryOptions asks Summarize for the first hits in some order and the
// top values of some fields, all in one pass over the hits.
type SummaryOptions struct {
	// Size is how many hits to return (0: none, only the total and facets).
	Size int
	// SortBy orders the hits: field names, "-" before a name for
	// descending ("ts", "-ts", "_id"). Empty: newest first (-ts, -_id).
	SortBy []string
	// Facets asks for the top n values of each field (fields with doc
	// values: FacetFields, and tsh, the hour, for events).
	Facets map[string]int
}

// Summary is what Summarize found.
type Summary struct {
	Total uint64
	// IDs and Sort are each hit's id (event id; sid for sessions) and its
	// sort key, in order: sorting on ts, Sort[i][0] is the hit's time in
	// TSLayout.
	IDs  []string
	Sort [][]string
	// Sessions are the hits themselves, when the doctype is TypeSession.
	Sessions []schema.Session
	// Facets holds a Facet for every field asked for.
	Facets map[string]Facet
}

// Summarize runs q over documents of doctype (TypeEvent, TypeSession) and
// returns its total, its first o.Size hits in o.SortBy order and the top
// values of the o.Facets fields — one Bleve request, as a pivot card needs.
func (s *Store) Summarize(ctx context.Context, doctype string, q Query, o SummaryOptions) (*Summary, error) {
	bq, err := s.compile(ctx, q, doctype)
	if err != nil {
		return nil, err
	}
	idx := s.idx
	if doctype == TypeSession {
		idx = s.sidx
	}
	req := newRequest(bq, o.Size, 0)
	if o.Size > 0 {
		sortBy := o.SortBy
		if len(sortBy) == 0 {
			sortBy = []string{"-ts", "-_id"}
		}
		req.SortBy(sortBy)
		if doctype == TypeSession {
			req.Fields = []string{srcField}
		}
	}
	if doctype == TypeSession {
		for f, n := range o.Facets {
			req.AddFacet(f, bleve.NewFacetRequest(f, n))
		}
	}
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	out := &Summary{Total: res.Total, Facets: make(map[string]Facet, len(o.Facets))}
	for _, h := range res.Hits {
		id := h.ID
		if doctype == TypeSession {
			id = strings.TrimPrefix(id, SessionDocID(""))
			var se schema.Session
			js, _ := h.Fields[srcField].(string)
			if err := json.Unmarshal([]byte(js), &se); err != nil {
				return nil, fmt.Errorf("summarize: session %s: %w", h.ID, err)
			}
			out.Sessions = append(out.Sessions, se)
		} else {
			// An event's document id is its log number: the id it is
			// known by is in the log.
			seq, err := seqOf(id)
			if err != nil {
				return nil, fmt.Errorf("summarize: %w", err)
			}
			ev, err := s.readSeq(seq)
			if err != nil {
				return nil, fmt.Errorf("summarize: %w", err)
			}
			id = ev.ID
		}
		out.IDs = append(out.IDs, id)
		out.Sort = append(out.Sort, h.Sort)
	}
	for f, n := range o.Facets {
		if doctype == TypeSession {
			out.Facets[f] = facetOf(f, res.Facets[f])
			continue
		}
		fs, err := s.postingFacets(ctx, bq, []string{f}, n)
		if err != nil {
			return nil, fmt.Errorf("summarize: %w", err)
		}
		out.Facets[f] = fs[0]
	}
	return out, nil
}

// facetOf is Bleve's facet result as a Facet (nil: none found).
func facetOf(field string, fr *search.FacetResult) Facet {
	fc := Facet{Field: field}
	if fr == nil {
		return fc
	}
	fc.Total, fc.Missing, fc.Others = fr.Total, fr.Missing, fr.Other
	if fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			fc.Terms = append(fc.Terms, FacetTerm{Term: t.Term, Count: t.Count})
		}
	}
	return fc
}
