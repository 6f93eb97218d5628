package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/index"
)

func (a *app) searchCmd() *cobra.Command {
	var (
		limit          int
		asJSON, oldest bool
		sessions       bool
		since, until   string
		count          bool
	)
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY",
		Short: "Search events with Bleve query syntax (newest first)",
		Long: `Search events. QUERY is Bleve query-string syntax per clause, with clauses side
by side all required, and AND, OR, NOT and parentheses to combine them:

  user:root                         exact field value (keyword fields)
  "Failed password"                 phrase in the message (unfielded = message)
  action:auth_failure src_ip:198.51.100.0/24
  (user:alice OR user:bob) NOT outcome:success
  ts:>="2026-03-14T02:00:00Z" dst_port:>=1024
  user:adm*                         wildcards; /regexp/ too

An empty query or * matches every event.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := index.Query{}
			if len(args) == 1 {
				q.Q = args[0]
			}
			var err error
			if q.Since, q.Until, err = timeRange(since, until); err != nil {
				return err
			}
			r, err := a.read(cmd, asJSON)
			if err != nil {
				return err
			}
			defer r.Close()
			switch {
			case count:
				countOf := r.store.Count
				if sessions {
					countOf = r.store.CountSessions
				}
				n, err := countOf(r.ctx, q)
				if err != nil {
					return err
				}
				fmt.Fprintln(r.out, n)
				return nil
			case sessions:
				return searchSessions(r, q, limit)
			}
			res, err := r.store.Search(r.ctx, q, index.Page{Size: limit, Oldest: oldest})
			if err != nil {
				return err
			}
			return emit(r, res.Events, func(w io.Writer) {
				printEvents(w, res.Events, r.loc)
				fmt.Fprintf(r.errOut, "%d of %d events (%s)\n", len(res.Events), res.Total, res.Took.Round(time.Microsecond))
			})
		},
	}
	f := cmd.Flags()
	f.IntVar(&limit, "limit", 50, "maximum results")
	f.BoolVar(&asJSON, "json", false, "one JSON object per line")
	f.BoolVar(&oldest, "oldest", false, "oldest first")
	f.BoolVar(&sessions, "sessions", false, "search sessions instead of events")
	f.BoolVar(&count, "count", false, "print only the number of matching events (or sessions, with --sessions)")
	f.StringVar(&since, "since", "", "only events at or after this time (RFC 3339, YYYY-MM-DD, or 24h / 7d ago)")
	f.StringVar(&until, "until", "", "only events before this time")
	return cmd
}
