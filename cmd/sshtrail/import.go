package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/importers"
	_ "github.com/sshtrail/sshtrail/importers/all" // every format
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
	"github.com/sshtrail/sshtrail/termtext"
)

func (a *app) importCmd() *cobra.Command {
	var (
		format, host, zeekConn string
		year, batch            int
		asJSON, noSessions     bool
		complete, followLinks  bool
		maxExpanded            = ingest.Size(importers.DefaultMaxExpanded)
	)
	cmd := &cobra.Command{
		Use:   "import [flags] PATH...",
		Short: "Import log files, folders or globs (plain, .gz, .bz2, - for stdin) into the index",
		Example: `  sshtrail import /cases/42/logs
  sshtrail import --year 2025 --tz Europe/Berlin auth.log auth.log.1.gz
  journalctl -o json -u ssh | sshtrail import -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := a.location()
			if err != nil {
				return err
			}
			if zeekConn != "all" && zeekConn != "ssh" {
				return fmt.Errorf("--zeek-conn must be all or ssh")
			}
			// Waits, saying for whom, while readers hold the index; open
			// workbenches give it up when they see the wait.
			s, err := a.openWriter(true)
			if err != nil {
				return err
			}
			defer s.Close()
			defer a.phase("close") // runs before the Close above
			opts := ingest.Options{
				Options:     importers.Options{Year: year, Location: loc, Host: host, ZeekConn: zeekConn},
				Format:      format,
				BatchSize:   batch,
				Complete:    complete,
				FollowLinks: followLinks,
				MaxExpanded: int64(maxExpanded),
			}
			if !asJSON && isTerminal(os.Stderr) {
				opts.Progress = progressPrinter(os.Stderr)
			}
			// The one import operation, shared with the demo and the
			// workbench: ingest the paths, compact the index when the import
			// left it fragmented, rebuild the sessions of the touched hosts
			// (every host when network records came in) unless --no-sessions,
			// and summarise. Interrupted, it commits what it read.
			sum, err := intake.Run(cmd.Context(), s, args, intake.Options{
				Ingest: opts, Sessions: a.sessionOptions(), NoSessions: noSessions, Phase: a.phase,
			})
			if opts.Progress != nil {
				fmt.Fprint(os.Stderr, "\r\033[K")
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(inert(cmd.OutOrStdout()))
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				printSummary(cmd.OutOrStdout(), a.indexDir(), sum)
			}
			// A failed import fails (DESIGN.md): a path that could not be read
			// (missing, a FIFO or device named, a cut .gz) makes the exit
			// non-zero, after what could be read was stored and summarised.
			if n := len(sum.FileErrors); n > 0 {
				return fmt.Errorf("%d path(s) could not be read or were cut short (named in the summary); everything else was imported", n)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "force a format: "+strings.Join(importers.Names(), ", ")+" (default: sniffed from content)")
	f.IntVar(&year, "year", 0, "year for timestamps without one (default: inferred from the file's time)")
	f.StringVar(&host, "host", "", "host name for records that lack one (macOS unified logs, auditd without node=)")
	f.StringVar(&zeekConn, "zeek-conn", "all", "Zeek conn.log records to keep: all, or ssh (port 22 / service ssh) for very large sets")
	f.IntVar(&batch, "batch", index.DefaultBatchSize, "events per index batch")
	f.BoolVar(&asJSON, "json", false, "print the summary as JSON")
	f.BoolVar(&noSessions, "no-sessions", false, "do not rebuild sessions now (run `sshtrail sessions --rebuild` later; for bulk loads of many files)")
	f.BoolVar(&complete, "complete", false, "the files are finished: read a last line that lacks its newline (by default it is held back as still being written)")
	f.BoolVar(&followLinks, "follow-links", false, "in folders and globs, also read links whose target is outside the folder (by default they are named, not read)")
	f.Var(&maxExpanded, "max-expanded", "stop a compressed file that expands past this size (e.g. 20GiB, 500MiB)")
	return cmd
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func progressPrinter(w io.Writer) func(ingest.Progress) {
	var last time.Time
	return func(p ingest.Progress) {
		if time.Since(last) < 100*time.Millisecond && p.FilesDone < p.FilesTotal {
			return
		}
		last = time.Now()
		frac := 0.0
		if p.BytesTotal > 0 {
			frac = float64(p.BytesDone) / float64(p.BytesTotal)
		}
		const width = 30
		n := int(frac * width)
		bar := strings.Repeat("█", n) + strings.Repeat("░", width-n)
		fmt.Fprintf(w, "\r\033[K%s %3.0f%%  files %d/%d  events %d  %s", bar, frac*100, p.FilesDone, p.FilesTotal, p.Events, shorten(termtext.Sanitize(p.File), 40))
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

func printSummary(w io.Writer, dir string, sum *ingest.Summary) {
	fmt.Fprintf(w, "index         %s\n", dir)
	fmt.Fprintf(w, "files         %d read", sum.Files)
	if len(sum.Unrecognised) > 0 {
		fmt.Fprintf(w, ", %d not recognised", len(sum.Unrecognised))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "events        %d read, %d added, %d already present\n", sum.Events, sum.Added, sum.Present)
	if len(sum.Formats) > 0 {
		var parts []string
		for f, n := range sum.Formats {
			parts = append(parts, fmt.Sprintf("%s %d", f, n))
		}
		sort.Strings(parts)
		fmt.Fprintf(w, "by format     %s\n", strings.Join(parts, ", "))
	}
	if sum.Unchanged > 0 {
		fmt.Fprintf(w, "unchanged     %d files already imported whole\n", sum.Unchanged)
	}
	if sum.Sessions > 0 {
		fmt.Fprintf(w, "sessions      %d in the index (rebuilt in %.1fs, not counted in took)\n", sum.Sessions, sum.SessionsSeconds)
	}
	fmt.Fprintf(w, "ignored       %d lines from other programs\n", sum.Ignored)
	fmt.Fprintf(w, "malformed     %d\n", sum.Malformed)
	if sum.Other > 0 {
		fmt.Fprintf(w, "unclassified  %d sshd lines kept as action:other\n", sum.Other)
	}
	if sum.Truncated > 0 {
		fmt.Fprintf(w, "truncated     %d lines over 1 MiB cut\n", sum.Truncated)
	}
	if sum.Skipped > 0 {
		fmt.Fprintf(w, "skipped       %d records (not SSH-related or filtered)\n", sum.Skipped)
	}
	if sum.HeldBack > 0 {
		line := "line"
		if sum.HeldBack > 1 {
			line = "lines"
		}
		fmt.Fprintf(w, "incomplete    %d unterminated final %s held back (re-run when the file is complete, or --complete)\n", sum.HeldBack, line)
		for _, f := range sum.HeldBackFiles {
			fmt.Fprintf(w, "  held back   %s\n", termtext.Sanitize(f))
		}
	}
	if len(sum.SkippedSpecial) > 0 {
		fmt.Fprintf(w, "skipped       %d special files (FIFO, device, socket: not read)\n", len(sum.SkippedSpecial))
		for _, f := range sum.SkippedSpecial {
			fmt.Fprintf(w, "  special     %s\n", termtext.Sanitize(f))
		}
	}
	for _, l := range sum.NotFollowed {
		fmt.Fprintf(w, "not followed  %s\n", termtext.Sanitize(l))
	}
	kinds := make([]string, 0, len(sum.Samples))
	for k := range sum.Samples {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		for _, s := range sum.Samples[k] {
			fmt.Fprintf(w, "  %-11s %s\n", k, termtext.Sanitize(s))
		}
	}
	for _, f := range sum.Unrecognised {
		fmt.Fprintf(w, "  unrecognised %s\n", termtext.Sanitize(f))
	}
	for _, e := range sum.FileErrors {
		fmt.Fprintf(w, "  error       %s\n", termtext.Sanitize(e))
	}
	for _, a := range sum.Assumed {
		fmt.Fprintf(w, "assumed       %s\n", termtext.Sanitize(a))
	}
	fmt.Fprintf(w, "took          %.2fs (%.0f events/s)\n", sum.Seconds, sum.EventsPerSec)
}

// tuneGC trades memory for CPU during an import: Bleve's indexing allocates
// heavily, and collecting less often cut CPU by ~15% (measured), while the
// memory limit keeps the peak under the 512 MB budget. An explicit GOGC or
// GOMEMLIMIT in the environment wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(384 << 20)
	}
}
