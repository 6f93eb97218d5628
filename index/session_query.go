package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/search/query"
)

// compileSessions compiles a session query. `events:<id>` has no terms to
// match any more (event ids are not indexed on sessions): each such clause
// becomes the session holding that event, found as SessionOf finds it, so
// the query language is unchanged for exact ids. Patterns over event ids
// (events:ab*) match nothing.
func (s *Store) compileSessions(ctx context.Context, q Query) (query.Query, error) {
	bq, err := s.compile(ctx, q, TypeSession)
	if err != nil {
		return nil, err
	}
	return s.resolveEventClauses(ctx, bq)
}

func (s *Store) resolveEventClauses(ctx context.Context, q query.Query) (query.Query, error) {
	var err error
	sub := func(p *query.Query) {
		if *p != nil && err == nil {
			*p, err = s.resolveEventClauses(ctx, *p)
		}
	}
	switch t := q.(type) {
	case *query.BooleanQuery:
		sub(&t.Must)
		sub(&t.Should)
		sub(&t.MustNot)
		sub(&t.Filter)
		return t, err
	case *query.ConjunctionQuery:
		for i := range t.Conjuncts {
			sub(&t.Conjuncts[i])
		}
		return t, err
	case *query.DisjunctionQuery:
		for i := range t.Disjuncts {
			sub(&t.Disjuncts[i])
		}
		return t, err
	case *query.MatchQuery:
		if t.Field() == sessionEventsTerm {
			return s.sessionOfID(ctx, t.Match)
		}
	case *query.TermQuery:
		if t.Field() == sessionEventsTerm {
			return s.sessionOfID(ctx, t.Term)
		}
	case *query.MatchPhraseQuery:
		if t.Field() == sessionEventsTerm {
			return s.sessionOfID(ctx, t.MatchPhrase)
		}
	case *query.WildcardQuery, *query.PrefixQuery, *query.RegexpQuery, *query.TermRangeQuery:
		if f, ok := t.(query.FieldableQuery); ok && f.Field() == sessionEventsTerm {
			return query.NewMatchNoneQuery(), nil
		}
	}
	return q, nil
}

// sessionEventsTerm is the field name users write for a session's events.
const sessionEventsTerm = "events"

// sessionOfID is a query matching the session that holds event id.
func (s *Store) sessionOfID(ctx context.Context, id string) (query.Query, error) {
	evs, err := s.Get(ctx, []string{id})
	if err != nil || len(evs) == 0 {
		return query.NewMatchNoneQuery(), err
	}
	se, ok, err := s.SessionOf(ctx, evs[0])
	if err != nil || !ok {
		return query.NewMatchNoneQuery(), err
	}
	return query.NewDocIDQuery([]string{SessionDocID(se.SID)}), nil
}
