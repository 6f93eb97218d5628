package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/export"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
	"github.com/sshtrail/sshtrail/termtext"
)

// searchSessions prints the sessions matching q (search --sessions).
func searchSessions(r *reader, q index.Query, limit int) error {
	res, err := r.store.SearchSessions(r.ctx, q, index.Page{Size: limit})
	if err != nil {
		return err
	}
	return emit(r, res.Sessions, func(w io.Writer) {
		printSessions(w, res.Sessions, r.loc)
		fmt.Fprintf(r.errOut, "%d of %d sessions\n", len(res.Sessions), res.Total)
	})
}

// exportSessions writes the sessions matching q to w, oldest first, a page
// at a time (export --sessions).
func exportSessions(ctx context.Context, s *index.Store, q index.Query, w export.Writer) (int, error) {
	n := 0
	var after []string
	for {
		res, err := s.SearchSessions(ctx, q, index.Page{Size: 1000, Oldest: true, After: after})
		if err != nil {
			return n, err
		}
		for i := range res.Sessions {
			if err := w.Session(&res.Sessions[i]); err != nil {
				return n, err
			}
			n++
		}
		if len(res.Sessions) < 1000 || len(res.Sort) == 0 {
			return n, nil
		}
		after = res.Sort[len(res.Sort)-1]
	}
}

// runSavedSessions runs a saved query over sessions; new are the sessions
// that start after the newest one seen at the last run.
func runSavedSessions(ctx context.Context, s *index.Store, q saved.Query, limit int) (saved.Outcome, saved.Query, error) {
	out := saved.Outcome{Name: q.Name, Query: q.Query, Target: q.Target, CountThen: q.LastCount}
	iq := index.Query{Q: q.Query}
	n, err := s.CountSessions(ctx, iq)
	if err != nil {
		return out, q, err
	}
	out.CountNow = int(n)
	res, err := s.SearchSessions(ctx, iq, index.Page{Size: 1})
	if err != nil {
		return out, q, err
	}
	if len(res.Sessions) > 0 {
		out.Newest = res.Sessions[0].Start
	}
	if !q.LastRun.IsZero() {
		nq := iq
		nq.Since = q.LastNewest.Add(time.Microsecond)
		nres, err := s.SearchSessions(ctx, nq, index.Page{Size: max(limit, 1)})
		if err != nil {
			return out, q, err
		}
		out.NewCount = int(nres.Total)
		for i := range nres.Sessions {
			out.NewItems = append(out.NewItems, nres.Sessions[i])
		}
	}
	q.LastRun, q.LastCount = time.Now().UTC(), out.CountNow
	if out.Newest.After(q.LastNewest) {
		q.LastNewest = out.Newest
	}
	return out, q, nil
}

func (a *app) sessionOptions() sessions.Options {
	return sessions.Options{Skew: a.v.GetDuration("sessions.skew"), Assets: a.assets(), GapSplit: a.v.GetDuration("sessions.gap_split"), Phase: a.phase}
}

func printSessions(w io.Writer, ss []schema.Session, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "START\tEND\tHOST\tUSER\tSOURCE\tMETHOD\tOUTCOME\tFAILS\tSOURCES\tSID")
	for i := range ss {
		s := &ss[i]
		end := "open"
		if !s.End.IsZero() {
			end = s.End.In(loc).Format("15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.Start.In(loc).Format("2006-01-02 15:04:05"), end,
			termtext.Fit(s.Host, 20), termtext.Fit(s.User, 16), termtext.Fit(addrPort(s.SrcIP, s.SrcPort), 46), s.Method, s.Outcome, s.Failures,
			strings.Join(s.Sources, ","), s.SID)
	}
	tw.Flush()
}

func (a *app) sessionsCmd() *cobra.Command {
	var (
		f            index.SessionFilter
		since, until string
		asJSON       bool
		rebuild      bool
	)
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List SSH sessions rebuilt from every source (oldest first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Since, f.Until, err = timeRange(since, until); err != nil {
				return err
			}
			open := a.openStore
			if rebuild {
				// Rebuilt whole below: alone, and without first finishing a
				// pending partial rebuild the whole one redoes anyway.
				open = func() (*index.Store, error) { return a.openWriter(false) }
			}
			r, err := a.readWith(cmd, asJSON, open)
			if err != nil {
				return err
			}
			defer r.Close()
			if rebuild {
				st, err := sessions.Rebuild(r.ctx, r.store, a.sessionOptions(), nil)
				if err != nil {
					return err
				}
				fmt.Fprintf(r.errOut, "rebuilt %d sessions from %d events in %s\n", st.Sessions, st.Events, st.Took.Round(time.Millisecond))
			}
			ss, err := sessions.List(r.ctx, r.store, f)
			if err != nil {
				return err
			}
			return emit(r, ss, func(w io.Writer) {
				printSessions(w, ss, r.loc)
				fmt.Fprintf(r.errOut, "%d sessions\n", len(ss))
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.User, "user", "", "only this user")
	fl.StringVar(&f.Host, "host", "", "only sessions into this host")
	fl.StringVar(&f.Src, "src", "", "only from this address or CIDR block")
	fl.StringVar(&since, "since", "", "only sessions open at or after this time")
	fl.StringVar(&until, "until", "", "only sessions open before this time")
	fl.BoolVar(&asJSON, "json", false, "one session object per line")
	fl.BoolVar(&rebuild, "rebuild", false, "rebuild every session first (after changing assets or skew)")
	return cmd
}

func (a *app) pivotCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "pivot user|host|ip VALUE",
		Short: "Everything about one user, host or address: first/last seen, peers, methods, keys, sessions",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := args[0]
			if kind != "user" && kind != "host" && kind != "ip" {
				return fmt.Errorf("pivot on user, host or ip, not %q", kind)
			}
			r, err := a.read(cmd, asJSON)
			if err != nil {
				return err
			}
			defer r.Close()
			card, err := sessions.Pivot(r.ctx, r.store, kind, args[1])
			if err != nil {
				return err
			}
			if r.json {
				return writeJSON(r.out, card)
			}
			printCard(r.out, card, r.loc)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "the card as one JSON object")
	return cmd
}

func counts(cs []sessions.Count) string {
	if len(cs) == 0 {
		return "-"
	}
	var parts []string
	for _, c := range cs {
		v := termtext.Sanitize(c.Value)
		if c.Host != "" {
			v += " (" + termtext.Sanitize(c.Host) + ")"
		}
		parts = append(parts, fmt.Sprintf("%s ×%d", v, c.Count))
	}
	return strings.Join(parts, ", ")
}

func printCard(w io.Writer, c *sessions.PivotCard, loc *time.Location) {
	when := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(w, "%s %s\n", c.Kind, termtext.Sanitize(c.Value))
	fmt.Fprintf(w, "  first seen   %s\n  last seen    %s\n", when(c.FirstSeen), when(c.LastSeen))
	fmt.Fprintf(w, "  events       %d (logons: %d success, %d failure)\n", c.Events, c.Success, c.Failure)
	fmt.Fprintf(w, "  sources      %s\n", counts(c.Sources))
	if len(c.Addresses) > 0 {
		fmt.Fprintf(w, "  addresses    %s\n", termtext.Sanitize(strings.Join(c.Addresses, ", ")))
	}
	fmt.Fprintf(w, "  users        %s\n", counts(c.Users))
	fmt.Fprintf(w, "  peers in     %s\n", counts(c.PeersIn))
	fmt.Fprintf(w, "  peers out    %s\n", counts(c.PeersOut))
	fmt.Fprintf(w, "  methods      %s\n", counts(c.Methods))
	fmt.Fprintf(w, "  keys         %s\n", counts(c.KeyFPs))
	fmt.Fprintf(w, "  sessions     %d\n", c.SessionsTotal)
	if len(c.Sessions) > 0 {
		printSessions(w, c.Sessions, loc)
	}
}

func (a *app) pathsCmd() *cobra.Command {
	var (
		minHops int
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "paths",
		Short: "Lateral-movement chains: sessions opened from a host while a session into it was open",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			ps, err := sessions.AllPaths(cmd.Context(), s, minHops)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSONLines(out, ps)
			}
			for _, p := range ps {
				fmt.Fprintln(out, p.String())
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d paths with at least %d hop(s)\n", len(ps), max(minHops, 1))
			return nil
		},
	}
	cmd.Flags().IntVar(&minHops, "min-hops", 1, "only chains of at least this many hops")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one path per line")
	return cmd
}
