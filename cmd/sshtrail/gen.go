package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/sample-data/gen"
)

func (a *app) genCmd() *cobra.Command {
	var (
		events, authLines, connRecords, hosts int
		seed                                  int64
		out                                   string
	)
	cmd := &cobra.Command{
		Use:   "gen --out DIR [--events N | --auth-lines N | --conn-records N]",
		Short: "Write realistic multi-host SSH logs in every format, with planted attacks (for benchmarks and trying the tool at size)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out DIR is required")
			}
			if err := os.MkdirAll(out, 0o700); err != nil {
				return err
			}
			start := gen.DefaultStart
			w := cmd.OutOrStdout()
			switch {
			case authLines > 0:
				p := filepath.Join(out, "auth.log")
				if err := writeFile(p, func(bw *bufio.Writer) error { return gen.WriteAuthLog(bw, authLines, seed, start) }); err != nil {
					return err
				}
				// RFC 3164 has no year: date the file after its last line.
				t := start.Add(90 * 24 * time.Hour)
				os.Chtimes(p, t, t)
				fmt.Fprintf(w, "%s\t%d lines\n", p, authLines)
			case connRecords > 0:
				p := filepath.Join(out, "conn.log")
				if err := writeFile(p, func(bw *bufio.Writer) error { return gen.WriteConnTSV(bw, connRecords, seed, start) }); err != nil {
					return err
				}
				fmt.Fprintf(w, "%s\t%d records\n", p, connRecords)
			default:
				sum, err := gen.Write(out, gen.Options{Events: events, Seed: seed, Hosts: hosts, Start: start})
				if err != nil {
					return err
				}
				names := make([]string, 0, len(sum.Files))
				for n := range sum.Files {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					fmt.Fprintf(w, "%s\t%d lines\n", n, sum.Files[n])
				}
				fmt.Fprintf(w, "%d events in %d files under %s\n", sum.Events, len(sum.Files), out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "output folder")
	f.IntVar(&events, "events", 100000, "events in total, across every format")
	f.IntVar(&hosts, "hosts", 20, "hosts")
	f.IntVar(&authLines, "auth-lines", 0, "write only one Debian auth.log of this many lines")
	f.IntVar(&connRecords, "conn-records", 0, "write only one Zeek conn.log (TSV) of this many records")
	f.Int64Var(&seed, "seed", 1, "random seed (same seed, same bytes)")
	return cmd
}

func writeFile(path string, fill func(*bufio.Writer) error) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
