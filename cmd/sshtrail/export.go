package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/export"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/termtext"
)

func (a *app) exportCmd() *cobra.Command {
	var (
		qs, format, out    string
		sessions, findings bool
		since, until       string
	)
	cmd := &cobra.Command{
		Use:   "export [flags]",
		Short: "Export events, sessions or findings as ECS NDJSON, CSV, JSONL or Timesketch JSONL",
		Example: `  sshtrail export --format ecs -o case42.ndjson
  sshtrail export --query 'user:root' --format csv -o root.csv
  sshtrail export --sessions --format timesketch -o sessions.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := index.Query{Q: qs}
			var err error
			if q.Since, q.Until, err = timeRange(since, until); err != nil {
				return err
			}
			s, err := a.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			var dst io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := openExport(cmd.ErrOrStderr(), out)
				if err != nil {
					return err
				}
				defer f.Close()
				dst = f
			}
			w, err := export.New(format, dst)
			if err != nil {
				return err
			}
			n := 0
			switch {
			case sessions:
				n, err = exportSessions(cmd.Context(), s, q, w)
			case findings:
				n, err = a.exportFindings(cmd.Context(), s, w)
			default:
				each := func(ev *schema.Event) error {
					n++
					return w.Event(ev)
				}
				if q.Q == "" && q.Since.IsZero() && q.Until.IsZero() {
					err = s.Scan(cmd.Context(), each) // everything: one sequential read
				} else {
					err = s.Each(cmd.Context(), q, each)
				}
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if out != "" && out != "-" {
				fmt.Fprintf(cmd.ErrOrStderr(), "exported %d records to %s (%s)\n", n, out, format)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&qs, "query", "", "only events (or sessions) matching this query")
	f.StringVar(&format, "format", "jsonl", "ecs, csv, jsonl or timesketch")
	f.StringVarP(&out, "output", "o", "", "output file (default stdout; created 0600)")
	f.BoolVar(&sessions, "sessions", false, "export sessions")
	f.BoolVar(&findings, "findings", false, "export detection findings")
	f.StringVar(&since, "since", "", "only records at or after this time")
	f.StringVar(&until, "until", "", "only records before this time")
	cmd.MarkFlagsMutuallyExclusive("sessions", "findings")
	return cmd
}

// openExport opens path for an export. Exports hold case data: owner-only,
// like the index. The create mode covers only a new file, so an existing
// regular file that others may read (0644 from an earlier `>`) loses its
// group and other bits before anything is written, and stderr says so. The
// chmod goes through the open descriptor, so it hits the file written,
// whatever the path points to by then. Other files (/dev/null, a FIFO) are
// left as they are: their mode is not ours to change.
func openExport(stderr io.Writer, path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if perm := st.Mode().Perm(); st.Mode().IsRegular() && perm&^0o600 != 0 {
		if err := f.Chmod(perm & 0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: cannot make it owner-only: %w", path, err)
		}
		fmt.Fprintf(stderr, "tightened %s from %04o to %04o\n", termtext.Sanitize(path), perm, perm&0o600)
	}
	return f, nil
}
