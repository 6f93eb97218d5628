// Package intake is the one "import a case" operation: ingest the files,
// bring the sessions of the touched hosts up to date, compact the store when
// the import left it fragmented, and say what was done. The import
// command, the demo and the workbench's import view all call Run, so the
// same files make the same index whichever way they came in.
package intake

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// CompactAfter is the number of new events after which an import merges
// the index's segments: hundreds of small segments slow every later query
// (a term count over 831k events took ~290 ms before compaction).
const CompactAfter = 50000

// CompactSegments is the segment count past which an import compacts
// whatever it added, so a re-run that adds nothing compacts a case whose
// compaction did not run (killed, out of disk). A 60k-event import leaves
// ~100 segments before merging settles; a compacted index has 2–4.
const CompactSegments = 40

// Options steer one import of a case.
type Options struct {
	Ingest   ingest.Options
	Sessions sessions.Options
	// NoSessions leaves the session rebuild to the next command (the store
	// records what is pending).
	NoSessions bool
	// Phase, if set, is told when each step starts: "ingest", the session
	// steps (sessions.Options.Phase), then "compact".
	Phase func(name string)
	// Finish, if set, is the context of the compaction and session steps,
	// and they run even when ctx stopped the reading: the workbench asks
	// before it quits and then finishes the sessions for what was stored.
	// Unset, a stopped reading ends the operation (the CLI's ctrl+c) and
	// the next command finishes the sessions.
	Finish context.Context
}

func (o Options) phase(name string) {
	if o.Phase != nil {
		o.Phase(name)
	}
}

// Run imports paths into st. The summary is returned with the error too
// when the reading was interrupted (what was read is committed).
func Run(ctx context.Context, st *index.Store, paths []string, opts Options) (*ingest.Summary, error) {
	if opts.Sessions.Phase == nil {
		opts.Sessions.Phase = opts.Phase
	}
	opts.phase("ingest")
	sum, readErr := ingest.Run(ctx, st, paths, opts.Ingest)
	if readErr != nil {
		stopped := sum != nil && ctx.Err() != nil && errors.Is(readErr, ctx.Err())
		if !stopped || opts.Finish == nil {
			return sum, readErr
		}
	}
	fctx := ctx
	if opts.Finish != nil {
		fctx = opts.Finish
	}
	if opts.NoSessions {
		if sum.Added > 0 {
			sum.Assumed = append(sum.Assumed, "sessions not rebuilt (--no-sessions): the next command that opens the index rebuilds them")
		}
	} else {
		// The hosts touched since the last rebuild: this import's, and any
		// an earlier one left undone (a re-import repairs a killed one even
		// when it adds nothing); every host when network records came in.
		stats, ran, err := sessions.Finish(fctx, st, opts.Sessions)
		if err != nil {
			return sum, fmt.Errorf("session rebuild: %w", err)
		}
		if ran {
			sum.Sessions = stats.Sessions
			sum.SessionsSeconds = stats.Took.Seconds()
		}
		// The rebuild's heap is garbage now; handing it back before the
		// merge maps the index keeps the two from adding up in the peak.
		debug.FreeOSMemory()
	}
	// After the session rebuild, so the sessions it wrote are merged too and
	// the events are merged once (compacting first, then writing sessions,
	// left the sessions index fragmented).
	if sum.Added >= CompactAfter || st.Segments() > CompactSegments {
		t := time.Now()
		opts.phase("compact")
		if err := st.Compact(fctx); err != nil {
			return sum, err
		}
		d := time.Since(t)
		sum.Assumed = append(sum.Assumed, fmt.Sprintf("index compacted in %.1fs (included in took)", d.Seconds()))
		// The import is not done until the index is compacted: the rate
		// users see (and make bench reports) includes it.
		sum.Took += d
		sum.Seconds = sum.Took.Seconds()
		if sum.Seconds > 0 {
			sum.EventsPerSec = float64(sum.Events) / sum.Seconds
		}
	}
	return sum, readErr
}
