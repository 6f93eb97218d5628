package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/export"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/termtext"
)

// savedFile is where saved queries live: the config file in use, or the
// default config path.
func (a *app) savedFile() saved.File {
	if a.configFile != "" {
		return saved.File{Path: a.configFile}
	}
	return saved.File{Path: filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "sshtrail", "config.yaml")}
}

// runSaved runs one saved query over its target.
func (a *app) runSaved(ctx context.Context, s *index.Store, q saved.Query, limit int) (saved.Outcome, saved.Query, error) {
	switch q.Target {
	case "", saved.TargetEvents:
		return saved.RunEvents(ctx, s, q, limit, time.Now())
	case saved.TargetSessions:
		return runSavedSessions(ctx, s, q, limit)
	case saved.TargetFindings:
		return a.runSavedFindings(ctx, s, q, limit)
	}
	return saved.Outcome{}, q, fmt.Errorf("saved query %s: target %s not available in this build", q.Name, q.Target)
}

func (a *app) queriesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queries",
		Short: "Saved queries: list, save, show, delete, run, replay on new data",
	}
	cmd.AddCommand(
		a.queriesListCmd(),
		a.queriesSaveCmd(),
		a.queriesShowCmd(),
		a.queriesDeleteCmd(),
		a.queriesRunCmd(),
		a.queriesReplayCmd(),
	)
	return cmd
}

func (a *app) queriesListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use: "list", Short: "List saved queries", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			qs, err := a.savedFile().List()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSONLines(out, qs)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTARGET\tLAST RUN\tLAST COUNT\tQUERY")
			for _, q := range qs {
				last := "never"
				if !q.LastRun.IsZero() {
					last = q.LastRun.Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", termtext.Sanitize(q.Name), q.Target, last, q.LastCount, termtext.Sanitize(q.Query))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	return cmd
}

func (a *app) queriesSaveCmd() *cobra.Command {
	var sessions, findings bool
	var desc string
	cmd := &cobra.Command{
		Use: "save NAME QUERY", Short: "Save a query under a name (replaces one of the same name)", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := saved.TargetEvents
			if sessions {
				target = saved.TargetSessions
			}
			if findings {
				target = saved.TargetFindings
			}
			if target != saved.TargetFindings {
				if _, err := index.ParseQuery(args[1]); err != nil {
					return err
				}
			}
			f := a.savedFile()
			q := saved.Query{Name: args[0], Query: args[1], Target: target, Description: desc, Created: time.Now().UTC()}
			// Under the config's lock: a save beside another keeps the first
			// one's creation time and loses neither.
			if err := f.Update(q.Name, func(cur *saved.Query, exists bool) error {
				if exists && !cur.Created.IsZero() {
					q.Created = cur.Created
				}
				*cur = q
				return nil
			}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "saved %s in %s\n", termtext.Sanitize(q.Name), f.Path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&sessions, "sessions", false, "the query is over sessions")
	cmd.Flags().BoolVar(&findings, "findings", false, "the query is over detection findings (a rule id, or * for all)")
	cmd.Flags().StringVar(&desc, "desc", "", "what the query is for")
	return cmd
}

func (a *app) queriesShowCmd() *cobra.Command {
	return &cobra.Command{
		Use: "show NAME", Short: "Show one saved query", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := a.savedFile().Get(args[0])
			if err != nil {
				return err
			}
			enc := json.NewEncoder(inert(cmd.OutOrStdout()))
			enc.SetIndent("", "  ")
			return enc.Encode(q)
		},
	}
}

func (a *app) queriesDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use: "delete NAME", Short: "Delete a saved query", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.savedFile().Delete(args[0])
		},
	}
}

func (a *app) queriesRunCmd() *cobra.Command {
	var onlyNew, asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use: "run NAME", Short: "Run a saved query (--new: only hits imported since its last run)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := a.savedFile()
			q, err := f.Get(args[0])
			if err != nil {
				return err
			}
			r, err := a.read(cmd, asJSON)
			if err != nil {
				return err
			}
			defer r.Close()
			first := q.LastRun.IsZero()
			out, q, err := a.runSaved(r.ctx, r.store, q, limit)
			if err != nil {
				return err
			}
			if err := recordRun(f, q, r.errOut); err != nil {
				return err
			}
			switch {
			case onlyNew && r.json:
				return writeOutcomeJSON(r.out, out)
			case onlyNew && first:
				fmt.Fprintf(r.errOut, "first run of %s: %d hits recorded as the baseline; later runs with --new show what arrives after\n", termtext.Sanitize(q.Name), out.CountNow)
				return nil
			case onlyNew:
				printEvents(r.out, out.New, r.loc)
				fmt.Fprintf(r.errOut, "%d new since last run (%d then, %d now)\n", out.NewCount, out.CountThen, out.CountNow)
				return nil
			case q.Target != saved.TargetEvents:
				return writeOutcomeJSON(r.out, out)
			}
			res, err := r.store.Search(r.ctx, index.Query{Q: q.Query}, index.Page{Size: limit})
			if err != nil {
				return err
			}
			return emit(r, res.Events, func(w io.Writer) {
				printEvents(w, res.Events, r.loc)
				fmt.Fprintf(r.errOut, "%d of %d events\n", len(res.Events), res.Total)
			})
		},
	}
	cmd.Flags().BoolVar(&onlyNew, "new", false, "only hits imported since the last run")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	cmd.Flags().IntVar(&limit, "limit", 50, "maximum hits shown")
	return cmd
}

func (a *app) queriesReplayCmd() *cobra.Command {
	var onlyNew, asJSON, markdown bool
	var limit int
	cmd := &cobra.Command{
		Use: "replay", Short: "Run every saved query and report, per query, the count then and now and the new hits", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := a.savedFile()
			qs, err := f.List()
			if err != nil {
				return err
			}
			r, err := a.read(cmd, asJSON)
			if err != nil {
				return err
			}
			defer r.Close()
			var outs []saved.Outcome
			for _, q := range qs {
				out, nq, err := a.runSaved(r.ctx, r.store, q, limit)
				if err != nil {
					return fmt.Errorf("%s: %w", q.Name, err)
				}
				if !onlyNew || out.NewCount > 0 {
					outs = append(outs, out)
				}
				if err := recordRun(f, nq, r.errOut); err != nil {
					return err
				}
			}
			switch {
			case r.json:
				return writeJSONLines(r.out, outs)
			case markdown:
				writeReplayMarkdown(r.out, outs, r.loc)
			default:
				writeReplayText(r.out, outs, r.loc)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&onlyNew, "new", false, "only queries with new hits")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per query")
	cmd.Flags().BoolVar(&markdown, "markdown", false, "a Markdown report")
	cmd.Flags().IntVar(&limit, "limit", 20, "new hits listed per query")
	cmd.MarkFlagsMutuallyExclusive("json", "markdown")
	return cmd
}

func writeOutcomeJSON(w io.Writer, o saved.Outcome) error { return writeJSON(w, o) }

func writeReplayText(w io.Writer, outs []saved.Outcome, loc *time.Location) {
	for _, o := range outs {
		fmt.Fprintf(w, "== %s (%s): %s\n   %d then, %d now, %d new\n", termtext.Sanitize(o.Name), termtext.Sanitize(o.Target), termtext.Sanitize(o.Query), o.CountThen, o.CountNow, o.NewCount)
		if len(o.New) > 0 {
			printEvents(w, o.New, loc)
		}
	}
}

// writeReplayMarkdown writes the replay report. Every text cell, headings
// and the query included, goes through export.MarkdownCell: user names and
// messages are attacker text, and a report is rendered (images fetched,
// links clicked) by whoever reads it. The query is plain escaped text, not
// a code span, because backslash escapes do not work inside code spans.
func writeReplayMarkdown(w io.Writer, outs []saved.Outcome, loc *time.Location) {
	md := export.MarkdownCell
	fmt.Fprintf(w, "# sshtrail replay\n\n| query | target | then | now | new |\n|---|---|---:|---:|---:|\n")
	for _, o := range outs {
		fmt.Fprintf(w, "| %s | %s | %d | %d | %d |\n", md(o.Name), md(o.Target), o.CountThen, o.CountNow, o.NewCount)
	}
	for _, o := range outs {
		if len(o.New) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s\n\nQuery: %s\n\n| time | host | action | user | source | message |\n|---|---|---|---|---|---|\n", md(o.Name), md(o.Query))
		for _, ev := range o.New {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", ev.TS.In(loc).Format("2006-01-02 15:04:05"), md(ev.Host), md(ev.Action), md(ev.User), md(source(ev)), md(ev.Message))
		}
	}
}

// recordRun stores a run's results in the saved query as it is in the file
// now. Putting back the copy read before the run (which takes seconds)
// undid a save of the same name made meanwhile and brought back a query
// deleted meanwhile. A query deleted or changed since is left alone.
func recordRun(f saved.File, ran saved.Query, warn io.Writer) error {
	err := f.Update(ran.Name, func(cur *saved.Query, exists bool) error {
		if !exists || cur.Query != ran.Query || cur.Target != ran.Target {
			return errQueryChanged
		}
		cur.LastRun, cur.LastCount, cur.LastNewest, cur.LastMark = ran.LastRun, ran.LastCount, ran.LastNewest, ran.LastMark
		return nil
	})
	if errors.Is(err, errQueryChanged) {
		fmt.Fprintf(warn, "sshtrail: %s was changed or deleted while it ran: its run was not recorded\n", termtext.Sanitize(ran.Name))
		return nil
	}
	return err
}

var errQueryChanged = errors.New("saved query changed while it ran")
