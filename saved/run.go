package saved

import (
	"context"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// Outcome is one run of a saved event query.
type Outcome struct {
	Name      string          `json:"name"`
	Query     string          `json:"query"`
	Target    string          `json:"target"`
	CountThen int             `json:"count_then"`
	CountNow  int             `json:"count_now"`
	NewCount  int             `json:"new_count"`
	Newest    time.Time       `json:"newest,omitzero"`
	New       []*schema.Event `json:"new,omitempty"`
	// NewItems holds the new hits of session and finding queries.
	NewItems []any `json:"new_items,omitempty"`
}

// RunEvents runs an events query: the count now and the hits imported since
// its last run (at most limit of them kept; all are counted). It returns q
// updated with this run's figures; the caller saves it.
func RunEvents(ctx context.Context, s *index.Store, q Query, limit int, now time.Time) (Outcome, Query, error) {
	out := Outcome{Name: q.Name, Query: q.Query, Target: q.Target, CountThen: q.LastCount}
	mark := s.Mark()
	iq := index.Query{Q: q.Query}
	n, err := s.Count(ctx, iq)
	if err != nil {
		return out, q, err
	}
	out.CountNow = int(n)
	if n > 0 {
		res, err := s.Search(ctx, iq, index.Page{Size: 1})
		if err != nil {
			return out, q, err
		}
		if len(res.Events) > 0 {
			out.Newest = res.Events[0].TS
		}
	}
	// A query never run before has nothing "new": everything is its baseline.
	if !q.LastRun.IsZero() {
		err = s.EachSinceMark(ctx, iq, q.LastMark, func(ev *schema.Event) error {
			out.NewCount++
			if limit <= 0 || len(out.New) < limit {
				out.New = append(out.New, ev)
			}
			return nil
		})
		if err != nil {
			return out, q, err
		}
	}
	q.LastRun, q.LastCount, q.LastNewest, q.LastMark = now.UTC(), out.CountNow, out.Newest, mark
	return out, q, nil
}
