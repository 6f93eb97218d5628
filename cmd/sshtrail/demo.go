package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
	sampledata "github.com/sshtrail/sshtrail/sample-data"
)

func (a *app) demoCmd() *cobra.Command {
	var noTUI, keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Index the bundled intrusion case (sample-data/) into a temporary index and open the workbench",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tmp, err := os.MkdirTemp("", "sshtrail-demo-")
			if err != nil {
				return err
			}
			if !keep {
				defer os.RemoveAll(tmp)
			}
			caseDir, config, err := sampledata.Extract(tmp)
			if err != nil {
				return fmt.Errorf("demo: extract the case: %w", err)
			}
			if a.configFile == "" {
				// The case's own config: assets, groups, allow-lists.
				a.v.SetConfigFile(config)
				if err := a.v.ReadInConfig(); err != nil {
					return fmt.Errorf("demo config: %w", err)
				}
				a.configFile = config
			}
			loc, err := a.location()
			if err != nil {
				return err
			}
			dir := filepath.Join(tmp, "index")
			s, err := index.OpenOrCreate(dir)
			if err != nil {
				return err
			}
			defer s.Close()
			sum, err := intake.Run(cmd.Context(), s, []string{caseDir}, intake.Options{
				Ingest:   ingest.Options{Options: importers.Options{Year: sampledata.CaseYear, Location: loc}},
				Sessions: a.sessionOptions(),
			})
			if err != nil {
				return err
			}
			if noTUI {
				printSummary(cmd.OutOrStdout(), dir, sum)
				fmt.Fprintln(cmd.OutOrStdout())
				cfg, err := a.detectConfig()
				if err != nil {
					return err
				}
				return showFindings(newReader(cmd, s, loc, false), cfg, nil, time.Time{})
			}
			// The workbench reads the case read-only like any other, so the
			// CLI can read a --keep case beside it.
			if err := s.Close(); err != nil {
				return fmt.Errorf("demo: close the case index: %w", err)
			}
			rs, err := index.OpenContext(cmd.Context(), dir, index.OpenOptions{ReadOnly: true, Command: a.command})
			if err != nil {
				return err
			}
			defer rs.Close()
			return a.workbench(cmd, rs, dir)
		},
	}
	cmd.Flags().BoolVar(&noTUI, "no-tui", false, "print the import summary and the findings instead of opening the workbench")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary index (its path is printed)")
	return cmd
}
