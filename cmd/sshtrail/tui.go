package main

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/tui"
)

func (a *app) tuiCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "tui",
		Short: "Open the workbench on the index: search, sessions, detections, pivots, paths, saved queries, import",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Read-only, beside other readers; it gives the index up to an
			// import that waits for it and reloads afterwards.
			s, err := a.openStore()
			if errors.Is(err, index.ErrNoIndex) {
				// A first case: an empty index to import into from the
				// workbench.
				var ws *index.Store
				if ws, err = a.openWriter(true); err == nil {
					if err = ws.Close(); err == nil {
						s, err = a.openStore()
					}
				}
			}
			if err != nil {
				return err
			}
			defer s.Close()
			return a.workbench(cmd, s, a.indexDir())
		},
	}
}

// workbench runs the TUI on s (the index at dir) until the user quits.
func (a *app) workbench(cmd *cobra.Command, s *index.Store, dir string) error {
	opts, err := a.workbenchOptions(s, dir)
	if err != nil {
		return err
	}
	return tui.Run(cmd.Context(), opts)
}

// workbenchOptions is what the workbench gets from the configuration: the
// display zone, the rules' settings, the session options its import view
// rebuilds with, the saved queries.
func (a *app) workbenchOptions(s *index.Store, dir string) (tui.Options, error) {
	loc, err := a.location()
	if err != nil {
		return tui.Options{}, err
	}
	cfg, err := a.detectConfig()
	if err != nil {
		return tui.Options{}, err
	}
	return tui.Options{
		Store: s, IndexDir: dir, Location: loc, Detect: cfg,
		Sessions: a.sessionOptions(), Saved: a.savedFile(),
		Command: a.command,
		// Quiet: the workbench's screen is up; it shows the wait itself.
		Reopen: func(ctx context.Context, onWait func([]index.Holder)) (*index.Store, error) {
			return a.openReader(ctx, io.Discard, onWait)
		},
	}, nil
}
