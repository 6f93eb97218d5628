package main

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sshtrail/sshtrail/index"
)

// reader is what a command that reads the index starts from: the store
// with its sessions up to date, the display zone, and its output.
type reader struct {
	ctx    context.Context
	store  *index.Store
	loc    *time.Location // display zone (--tz)
	out    io.Writer      // the results
	errOut io.Writer      // counts and timings, so stdout stays the results
	json   bool           // --json: one object per line instead of a table
}

// read is the preamble every reading command shares: resolve the zone
// (a bad --tz fails before the index is touched), open the store with
// openStore (which finishes a session rebuild an earlier import left
// undone), and choose JSON or text. The caller closes the reader.
func (a *app) read(cmd *cobra.Command, asJSON bool) (*reader, error) {
	return a.readWith(cmd, asJSON, a.openStore)
}

// readWith is read with another way to open the store: openWriter for a
// command that rebuilds the sessions itself.
func (a *app) readWith(cmd *cobra.Command, asJSON bool, open func() (*index.Store, error)) (*reader, error) {
	loc, err := a.location()
	if err != nil {
		return nil, err
	}
	s, err := open()
	if err != nil {
		return nil, err
	}
	return newReader(cmd, s, loc, asJSON), nil
}

// newReader is a reader on a store the command opened itself (the demo's).
func newReader(cmd *cobra.Command, s *index.Store, loc *time.Location, asJSON bool) *reader {
	return &reader{ctx: cmd.Context(), store: s, loc: loc, out: cmd.OutOrStdout(), errOut: cmd.ErrOrStderr(), json: asJSON}
}

func (r *reader) Close() error { return r.store.Close() }

// emit writes xs one JSON object per line with --json, or else has text
// print them.
func emit[T any](r *reader, xs []T, text func(w io.Writer)) error {
	if r.json {
		return writeJSONLines(r.out, xs)
	}
	text(r.out)
	return nil
}

// writeJSONLines writes one inert JSON object per line.
func writeJSONLines[T any](w io.Writer, xs []T) error {
	enc := json.NewEncoder(inert(w))
	for i := range xs {
		if err := enc.Encode(&xs[i]); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON writes v as one inert JSON object.
func writeJSON(w io.Writer, v any) error { return json.NewEncoder(inert(w)).Encode(v) }

// timeRange parses a command's --since and --until.
func timeRange(since, until string) (from, to time.Time, err error) {
	now := time.Now()
	if from, err = index.ParseTime(since, now); err != nil {
		return
	}
	to, err = index.ParseTime(until, now)
	return
}
