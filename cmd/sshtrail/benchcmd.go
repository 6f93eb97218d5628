package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/index"
)

// benchQueriesCmd times the questions of the performance table against an
// existing index (used by `make bench`; hidden from help).
func (a *app) benchQueriesCmd() *cobra.Command {
	var runs int
	cmd := &cobra.Command{
		Use:    "bench-queries",
		Short:  "Time index open, first page, term/boolean queries, facets and sorted pages (for make bench)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			start := time.Now()
			s, err := a.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			if _, err := s.Search(ctx, index.Query{}, index.Page{Size: 50}); err != nil {
				return err
			}
			openFirst := time.Since(start)
			total, _ := s.Total(ctx)
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "events\t%d\n", total)
			fmt.Fprintf(out, "open index + first page\t%.1f ms\n", ms(openFirst))
			type q struct {
				name string
				run  func(context.Context) error
			}
			search := func(qs string, oldest bool) func(context.Context) error {
				return func(ctx context.Context) error {
					_, err := s.Search(ctx, index.Query{Q: qs}, index.Page{Size: 50, Oldest: oldest})
					return err
				}
			}
			count := func(qs string) func(context.Context) error {
				return func(ctx context.Context) error { _, err := s.Count(ctx, index.Query{Q: qs}); return err }
			}
			// Free-text clauses are scanned once per process and cached:
			// each run forgets them, so every run pays the scan.
			scan := func(run func(context.Context) error) func(context.Context) error {
				return func(ctx context.Context) error { s.ForgetText(); return run(ctx) }
			}
			qs := []q{
				{"term query (count) user:root", count("user:root")},
				{"term query (page) user:root", search("user:root", false)},
				{"boolean query (count) action:auth_failure AND NOT user:root", count("action:auth_failure AND NOT user:root")},
				{"boolean query (page) action:auth_success AND NOT method:publickey", search("action:auth_success AND NOT method:publickey", false)},
				{"free text: phrase \"Failed password\" (count, scan)", scan(count(`"Failed password"`))},
				{"free text: word preauth (page, scan)", scan(search("preauth", false))},
				{"free text mixed: user:root AND password (count, scan)", scan(count("user:root AND password"))},
				{"cidr query src_ip:10.0.0.0/8 (count)", count("src_ip:10.0.0.0/8")},
				{"time-sorted page, all events", search("", false)},
				{"time-sorted page, oldest first", search("", true)},
				{"facets top-10 user,src_ip,host,action", func(ctx context.Context) error {
					_, err := s.Facets(ctx, index.Query{}, []string{"user", "src_ip", "host", "action"}, 10)
					return err
				}},
				{"facets top-10, narrowed to user:root", func(ctx context.Context) error {
					_, err := s.Facets(ctx, index.Query{Q: "user:root"}, []string{"user", "src_ip", "host", "action"}, 10)
					return err
				}},
				{"histogram", func(ctx context.Context) error { _, _, err := s.Histogram(ctx, index.Query{}, 60); return err }},
				{"histogram, narrowed to action:auth_failure", func(ctx context.Context) error {
					_, _, err := s.Histogram(ctx, index.Query{Q: "action:auth_failure"}, 60)
					return err
				}},
			}
			for _, b := range qs {
				var ds []time.Duration
				for i := 0; i < runs; i++ {
					t := time.Now()
					if err := b.run(ctx); err != nil {
						return fmt.Errorf("%s: %w", b.name, err)
					}
					ds = append(ds, time.Since(t))
				}
				sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
				fmt.Fprintf(out, "%s\tp50 %.1f ms\tp90 %.1f ms\n", b.name, ms(ds[len(ds)/2]), ms(ds[len(ds)*9/10]))
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&runs, "runs", 21, "repetitions per query")
	return cmd
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchNaiveCmd is the baseline of the performance table: the same log
// imported the way a first attempt with Bleve would, one document per line
// with Bleve's default mapping (standard analyser, dynamic fields), in
// batches of 1000 (used by `make bench`; hidden from help).
func (a *app) benchNaiveCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "bench-naive FILE DIR",
		Short:  "Index FILE one Bleve document per line into DIR (baseline for make bench)",
		Hidden: true,
		Args:   cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			idx, err := bleve.New(args[1], bleve.NewIndexMapping())
			if err != nil {
				return fmt.Errorf("naive bleve: %w", err)
			}
			f, err := os.Open(args[0])
			if err != nil {
				idx.Close()
				return err
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			b := idx.NewBatch()
			n := 0
			for sc.Scan() {
				n++
				if err := b.Index(strconv.Itoa(n), map[string]string{"message": sc.Text()}); err != nil {
					idx.Close()
					return err
				}
				if b.Size() == 1000 {
					if err := idx.Batch(b); err != nil {
						idx.Close()
						return err
					}
					b = idx.NewBatch()
				}
			}
			if err := idx.Batch(b); err != nil {
				idx.Close()
				return err
			}
			if err := idx.Close(); err != nil {
				return err
			}
			secs := time.Since(start).Seconds()
			fmt.Fprintf(cmd.OutOrStdout(), "%d lines in %.1f s = %.0f lines/s\n", n, secs, float64(n)/secs)
			return sc.Err()
		},
	}
}
