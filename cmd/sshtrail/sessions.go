package main

import (
	"encoding/json"
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

func init() {
	extraCommands = append(extraCommands, (*app).sessionsCmd, (*app).pivotCmd, (*app).pathsCmd)
	searchSessions = func(cmd *cobra.Command, a *app, s *index.Store, q index.Query, limit int, asJSON bool) error {
		res, err := s.SearchSessions(cmd.Context(), q, index.Page{Size: limit})
		if err != nil {
			return err
		}
		loc, err := a.location()
		if err != nil {
			return err
		}
		if asJSON {
			return writeSessionsJSON(cmd.OutOrStdout(), res.Sessions)
		}
		printSessions(cmd.OutOrStdout(), res.Sessions, loc)
		fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d sessions\n", len(res.Sessions), res.Total)
		return nil
	}
	exportSessions = func(cmd *cobra.Command, a *app, s *index.Store, q index.Query, w export.Writer) (int, error) {
		n := 0
		var after []string
		for {
			res, err := s.SearchSessions(cmd.Context(), q, index.Page{Size: 1000, Oldest: true, After: after})
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
	runTarget[saved.TargetSessions] = func(cmd *cobra.Command, a *app, s *index.Store, q saved.Query, limit int) (saved.Outcome, saved.Query, error) {
		out := saved.Outcome{Name: q.Name, Query: q.Query, Target: q.Target, CountThen: q.LastCount}
		iq := index.Query{Q: q.Query}
		n, err := s.CountSessions(cmd.Context(), iq)
		if err != nil {
			return out, q, err
		}
		out.CountNow = int(n)
		res, err := s.SearchSessions(cmd.Context(), iq, index.Page{Size: 1})
		if err != nil {
			return out, q, err
		}
		if len(res.Sessions) > 0 {
			out.Newest = res.Sessions[0].Start
		}
		if !q.LastRun.IsZero() {
			nq := iq
			nq.Since = q.LastNewest.Add(time.Microsecond)
			nres, err := s.SearchSessions(cmd.Context(), nq, index.Page{Size: max(limit, 1)})
			if err != nil {
				return out, q, err
			}
			out.NewCount = int(nres.Total)
			for i := range nres.Sessions {
				out.NewItems = append(out.NewItems, nres.Sessions[i])
			}
		}
		q.LastRun, q.LastCount = nowFunc().UTC(), out.CountNow
		if out.Newest.After(q.LastNewest) {
			q.LastNewest = out.Newest
		}
		return out, q, nil
	}
}

func (a *app) sessionOptions() sessions.Options {
	return sessions.Options{Skew: a.v.GetDuration("sessions.skew"), Assets: a.assets(), GapSplit: a.v.GetDuration("sessions.gap_split"), Phase: a.phase}
}

func writeSessionsJSON(w io.Writer, ss []schema.Session) error {
	enc := json.NewEncoder(inert(w))
	for i := range ss {
		if err := enc.Encode(&ss[i]); err != nil {
			return err
		}
	}
	return nil
}

func sessionSource(s *schema.Session) string {
	if s.SrcIP == "" {
		return ""
	}
	if s.SrcPort != 0 {
		if strings.Contains(s.SrcIP, ":") {
			return fmt.Sprintf("[%s]:%d", s.SrcIP, s.SrcPort)
		}
		return fmt.Sprintf("%s:%d", s.SrcIP, s.SrcPort)
	}
	return s.SrcIP
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
			termtext.Fit(s.Host, 20), termtext.Fit(s.User, 16), termtext.Fit(sessionSource(s), 46), s.Method, s.Outcome, s.Failures,
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
			if f.Since, err = index.ParseTime(since, nowFunc()); err != nil {
				return err
			}
			if f.Until, err = index.ParseTime(until, nowFunc()); err != nil {
				return err
			}
			loc, err := a.location()
			if err != nil {
				return err
			}
			open := a.openStore
			if rebuild {
				open = a.openStoreAsIs // rebuilt whole below
			}
			s, err := open()
			if err != nil {
				return err
			}
			defer s.Close()
			if rebuild {
				st, err := sessions.Rebuild(cmd.Context(), s, a.sessionOptions(), nil)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "rebuilt %d sessions from %d events in %s\n", st.Sessions, st.Events, st.Took.Round(time.Millisecond))
			}
			ss, err := sessions.List(cmd.Context(), s, f)
			if err != nil {
				return err
			}
			if asJSON {
				return writeSessionsJSON(cmd.OutOrStdout(), ss)
			}
			printSessions(cmd.OutOrStdout(), ss, loc)
			fmt.Fprintf(cmd.ErrOrStderr(), "%d sessions\n", len(ss))
			return nil
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
			loc, err := a.location()
			if err != nil {
				return err
			}
			s, err := a.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			card, err := sessions.Pivot(cmd.Context(), s, kind, args[1])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(inert(out)).Encode(card)
			}
			printCard(out, card, loc)
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
				enc := json.NewEncoder(inert(out))
				for _, p := range ps {
					if err := enc.Encode(p); err != nil {
						return err
					}
				}
				return nil
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
