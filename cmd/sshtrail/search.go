package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/index"
)

// searchSessions is set by the sessions command file: search over session documents.
var searchSessions func(cmd *cobra.Command, a *app, s *index.Store, q index.Query, limit int, asJSON bool) error

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
			now := time.Now()
			var err error
			if q.Since, err = index.ParseTime(since, now); err != nil {
				return err
			}
			if q.Until, err = index.ParseTime(until, now); err != nil {
				return err
			}
			loc, err := a.location()
			if err != nil {
				return err
			}
			s, err := a.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			if sessions && count {
				n, err := s.CountSessions(cmd.Context(), q)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), n)
				return nil
			}
			if sessions {
				if searchSessions == nil {
					return fmt.Errorf("--sessions: session search is not available in this build")
				}
				return searchSessions(cmd, a, s, q, limit, asJSON)
			}
			if count {
				n, err := s.Count(cmd.Context(), q)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), n)
				return nil
			}
			res, err := s.Search(cmd.Context(), q, index.Page{Size: limit, Oldest: oldest})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(inert(out))
				for _, ev := range res.Events {
					if err := enc.Encode(ev); err != nil {
						return err
					}
				}
				return nil
			}
			printEvents(out, res.Events, loc)
			fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d events (%s)\n", len(res.Events), res.Total, res.Took.Round(time.Microsecond))
			return nil
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
