package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/export"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/saved"
	"github.com/sshtrail/sshtrail/termtext"
)

// exportFindings writes every finding to w (export --findings).
func (a *app) exportFindings(ctx context.Context, s *index.Store, w export.Writer) (int, error) {
	cfg, err := a.detectConfig()
	if err != nil {
		return 0, err
	}
	fs, err := detect.Run(ctx, s, cfg, nil, time.Time{})
	if err != nil {
		return 0, err
	}
	for _, f := range fs {
		if err := w.Row(findingRecord(f)); err != nil {
			return 0, err
		}
	}
	return len(fs), nil
}

// runSavedFindings runs a saved query over findings: its query is rule ids
// (or * for all); new are findings whose evidence is newer than the newest
// seen at the last run.
func (a *app) runSavedFindings(ctx context.Context, s *index.Store, q saved.Query, limit int) (saved.Outcome, saved.Query, error) {
	out := saved.Outcome{Name: q.Name, Query: q.Query, Target: q.Target, CountThen: q.LastCount}
	cfg, err := a.detectConfig()
	if err != nil {
		return out, q, err
	}
	var ids []string
	if q.Query != "" && q.Query != "*" {
		ids = strings.Fields(q.Query)
	}
	fs, err := detect.Run(ctx, s, cfg, ids, time.Time{})
	if err != nil {
		return out, q, err
	}
	out.CountNow = len(fs)
	for _, f := range fs {
		if f.TS.After(out.Newest) {
			out.Newest = f.TS
		}
		// New findings: evidence newer than the newest seen at the last run.
		if !q.LastRun.IsZero() && f.Last().After(q.LastNewest) {
			out.NewCount++
			if limit <= 0 || len(out.NewItems) < limit {
				out.NewItems = append(out.NewItems, f)
			}
		}
	}
	for _, f := range fs {
		if l := f.Last(); l.After(out.Newest) {
			out.Newest = l
		}
	}
	q.LastRun, q.LastCount, q.LastNewest = time.Now().UTC(), out.CountNow, out.Newest
	return out, q, nil
}

// detectConfig reads the `detect:` section over the defaults; top-level
// `assets:` (host -> addresses) also feeds the rules' address book.
func (a *app) detectConfig() (detect.Config, error) {
	cfg := detect.DefaultConfig()
	if err := a.v.UnmarshalKey("detect", &cfg, viper.DecodeHook(detect.DecodeHook()), func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
	}); err != nil {
		return cfg, fmt.Errorf("config %s: detect: %w", a.configFile, err)
	}
	if assets := a.assets(); len(assets) > 0 {
		if cfg.HostAddresses == nil {
			cfg.HostAddresses = map[string][]string{}
		}
		for h, addrs := range assets {
			cfg.HostAddresses[h] = append(cfg.HostAddresses[h], addrs...)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config %s: detect: %w", a.configFile, err)
	}
	return cfg, nil
}

// showFindings runs the rules and prints the findings, most severe first:
// the detect command's output, and the demo's without the workbench.
func showFindings(r *reader, cfg detect.Config, ruleIDs []string, since time.Time) error {
	start := time.Now()
	fs, err := detect.Run(r.ctx, r.store, cfg, ruleIDs, since)
	if err != nil {
		return err
	}
	return emit(r, fs, func(w io.Writer) {
		printFindings(w, fs, r.loc)
		fmt.Fprintf(r.errOut, "%d findings (%s)\n", len(fs), time.Since(start).Round(time.Millisecond))
	})
}

// assets is the config's `assets:` map of host name to addresses.
func (a *app) assets() map[string][]string {
	out := map[string][]string{}
	for h := range a.v.GetStringMap("assets") {
		out[h] = a.v.GetStringSlice("assets." + h)
	}
	return out
}

func findingRecord(f detect.Finding) export.Record {
	return export.Record{Time: f.TS, Message: f.Summary, Kind: "alert", Fields: []export.Field{
		{Name: "rule", Value: f.Rule}, {Name: "title", Value: f.Title}, {Name: "severity", Value: string(f.Severity)},
		{Name: "technique", Value: f.Technique}, {Name: "ts", Value: f.TS}, {Name: "host", Value: f.Host},
		{Name: "user", Value: f.User}, {Name: "src_ip", Value: f.SrcIP}, {Name: "dst_ip", Value: f.DstIP},
		{Name: "sids", Value: f.SIDs}, {Name: "summary", Value: f.Summary}, {Name: "events", Value: f.Events},
	}}
}

func (a *app) rulesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the detection rules (built-in and your YAML rules)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.detectConfig()
			if err != nil {
				return err
			}
			rules, err := detect.AllRules(cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				rows := make([]map[string]any, len(rules))
				for i, r := range rules {
					rows[i] = map[string]any{"id": r.ID(), "title": r.Title(), "severity": r.Severity(), "technique": r.Technique(), "description": r.Description(), "needs": r.Needs()}
				}
				return writeJSONLines(out, rows)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tTECHNIQUE\tTITLE")
			for _, r := range rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID(), r.Severity(), r.Technique(), termtext.Sanitize(r.Title()))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line")
	return cmd
}

func (a *app) detectCmd() *cobra.Command {
	var (
		ruleIDs         []string
		since, baseline string
		asJSON          bool
	)
	cmd := &cobra.Command{
		Use:   "detect",
		Short: "Run the detections and print findings, most severe first",
		Example: `  sshtrail detect
  sshtrail detect --rule SSH_Brute_Force --rule 'Unix_*' --json
  sshtrail detect --since 2026-03-14 --baseline-until 2026-03-13`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.detectConfig()
			if err != nil {
				return err
			}
			sinceT, err := index.ParseTime(since, time.Now())
			if err != nil {
				return err
			}
			if baseline != "" {
				if cfg.BaselineUntil, err = index.ParseTime(baseline, time.Now()); err != nil {
					return err
				}
			}
			r, err := a.read(cmd, asJSON)
			if err != nil {
				return err
			}
			defer r.Close()
			return showFindings(r, cfg, ruleIDs, sinceT)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&ruleIDs, "rule", nil, "run only this rule id (globs allowed; repeatable)")
	f.StringVar(&since, "since", "", "only findings whose evidence reaches this time")
	f.StringVar(&baseline, "baseline-until", "", "end of the learning window for profiles and first-seen rules")
	f.BoolVar(&asJSON, "json", false, "one finding per line")
	return cmd
}

func printFindings(w io.Writer, fs []detect.Finding, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tTIME\tRULE\tHOST\tUSER\tSOURCE\tSUMMARY")
	for _, f := range fs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(f.Severity)), f.TS.In(loc).Format("2006-01-02 15:04:05"),
			f.Rule, termtext.Fit(f.Host, 20), termtext.Fit(f.User, 16), termtext.Fit(f.SrcIP, 40), termtext.Fit(f.Summary, 160))
	}
	tw.Flush()
}

func (a *app) profileCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "profile HOST",
		Short: "Show the logon profile learned for a host (users, sources, methods, keys, clients)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.detectConfig()
			if err != nil {
				return err
			}
			s, err := a.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			p, err := detect.Profile(cmd.Context(), s, cfg, args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, p)
			}
			fmt.Fprintf(out, "host      %s\ngroups    %s\nbaseline  %s → %s (%d logons)\n", termtext.Sanitize(p.Host), strings.Join(p.Groups, ", "),
				p.BaselineStart.Format(time.RFC3339), p.BaselineEnd.Format(time.RFC3339), p.Logons)
			for _, part := range []struct {
				name string
				m    map[string]int
			}{{"users", p.Users}, {"sources", p.Sources}, {"methods", p.Methods}, {"keys", p.Keys}, {"clients", p.Clients}} {
				fmt.Fprintf(out, "%-9s %s\n", part.name, countList(part.m))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "JSON")
	return cmd
}

func countList(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var xs []kv
	for k, v := range m {
		xs = append(xs, kv{k, v})
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].v > xs[j].v || xs[i].v == xs[j].v && xs[i].k < xs[j].k })
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%s (%d)", termtext.Sanitize(x.k), x.v))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
