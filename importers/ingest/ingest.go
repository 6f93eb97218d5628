// Package ingest is the import pipeline: it expands paths (files, folders,
// globs), picks each file's format by content, streams its events through
// the format's importer and writes them to an index.Store in batches. The
// CLI and the terminal UI both import through it.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/index"
)

// Options steer one import.
type Options struct {
	importers.Options
	Format    string // force this format; "" sniffs each file
	BatchSize int
	// Progress, if set, is called after each file and every few thousand events.
	Progress func(Progress)
}

// Progress is a snapshot of a running import.
type Progress struct {
	File       string
	FilesDone  int
	FilesTotal int
	Events     int
	BytesDone  int64
	BytesTotal int64
}

// Summary is what an import did.
type Summary struct {
	importers.Stats
	Added           int           `json:"added"`
	Present         int           `json:"already_present"`
	Unchanged       int           `json:"unchanged_files,omitempty"` // files skipped whole: same as at their last import
	Unrecognised    []string      `json:"unrecognised,omitempty"`
	Took            time.Duration `json:"-"`
	Seconds         float64       `json:"seconds"`
	EventsPerSec    float64       `json:"events_per_sec"`
	Hosts           []string      `json:"hosts,omitempty"`            // hosts that got events (for incremental session rebuilds)
	Sessions        int           `json:"sessions,omitempty"`         // sessions in the index after the rebuild (set by the caller)
	SessionsSeconds float64       `json:"sessions_seconds,omitempty"` // how long that rebuild took (not in Seconds)
}

// Expand turns the user's paths (files, folders, globs, "-") into files.
// Folders are walked recursively without following symlinked directories
// (no loops); unreadable entries are reported, not fatal.
func Expand(paths []string) (files []string, problems []string) {
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, p := range paths {
		if p == "-" {
			add(p)
			continue
		}
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", p, err))
				continue
			}
			if len(m) == 0 {
				problems = append(problems, fmt.Sprintf("%s: no files match", p))
			}
			matches = m
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", m, err))
				continue
			}
			if !st.IsDir() {
				add(m)
				continue
			}
			var inDir []string
			filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: %v", path, err))
					if d != nil && d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				name := d.Name()
				if d.IsDir() {
					if path != m && strings.HasPrefix(name, ".") {
						return fs.SkipDir
					}
					return nil
				}
				if strings.HasPrefix(name, ".") || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
					return nil
				}
				// Case folders carry notes and configs beside the logs; files
				// named on the command line are always read.
				switch strings.ToLower(filepath.Ext(name)) {
				case ".md", ".yaml", ".yml", ".txt", ".pdf", ".pcap", ".pcapng":
					return nil
				}
				if d.Type()&fs.ModeSymlink != 0 {
					// Follow symlinks to files only; a link to a folder could loop.
					st, err := os.Stat(path)
					if err != nil || !st.Mode().IsRegular() {
						return nil
					}
				}
				inDir = append(inDir, path)
				return nil
			})
			sort.Strings(inDir)
			for _, f := range inDir {
				add(f)
			}
		}
	}
	return files, problems
}

// Run imports paths into store.
func Run(ctx context.Context, store *index.Store, paths []string, opts Options) (*Summary, error) {
	start := time.Now()
	files, problems := Expand(paths)
	sum := &Summary{}
	sum.FileErrors = append(sum.FileErrors, problems...)
	var forced importers.Importer
	if opts.Format != "" {
		imp, ok := importers.Lookup(opts.Format)
		if !ok {
			return nil, fmt.Errorf("unknown format %q (known: %s)", opts.Format, strings.Join(importers.Names(), ", "))
		}
		forced = imp
	}
	prog := Progress{FilesTotal: len(files)}
	for _, f := range files {
		if f != "-" {
			if st, err := os.Stat(f); err == nil {
				prog.BytesTotal += st.Size()
			}
		}
	}
	w := store.NewWriter(opts.BatchSize)
	// Events are counted here, whatever importers count themselves.
	sum.Formats = map[string]int{}
	hosts := map[string]bool{}
	var stats importers.Stats
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			break
		}
		prog.File = f
		err := importFile(ctx, store, f, forced, opts, &stats, sum, hosts, w, &prog)
		if err != nil {
			var werr writeError
			if errors.As(err, &werr) {
				w.Close()
				return nil, werr.err
			}
			sum.FileErrors = append(sum.FileErrors, err.Error())
		}
		prog.FilesDone++
		if f != "-" {
			if st, err := os.Stat(f); err == nil {
				prog.BytesDone += st.Size()
			}
		}
		if opts.Progress != nil {
			opts.Progress(prog)
		}
	}
	ws, err := w.Close()
	if err != nil {
		return nil, err
	}
	fileErrs, formats := sum.FileErrors, sum.Formats
	sum.Stats = stats
	sum.FileErrors = append(fileErrs, stats.FileErrors...)
	sum.Formats = formats
	sum.Events = 0
	for _, n := range formats {
		sum.Events += n
	}
	sum.Added = ws.Added
	sum.Present += ws.Present
	for h := range hosts {
		sum.Hosts = append(sum.Hosts, h)
	}
	sort.Strings(sum.Hosts)
	sum.Took = time.Since(start)
	sum.Seconds = sum.Took.Seconds()
	if s := sum.Took.Seconds(); s > 0 {
		sum.EventsPerSec = float64(sum.Events) / s
	}
	return sum, ctx.Err()
}

type writeError struct{ err error }

func (e writeError) Error() string { return e.err.Error() }

// identityIDs are the importers whose every event id hashes the source's
// identity (index.EventID(src.Identity, ...)): a never-seen identity then
// means never-indexed events (index.Writer.BeginSource). journald ids hash
// the journal cursor instead, so overlapping exports dedupe.
var identityIDs = map[string]bool{"authlog": true, "auditd": true, "unified": true, "zeek": true}

func importFile(ctx context.Context, store *index.Store, path string, forced importers.Importer, opts Options, stats *importers.Stats, sum *Summary, hosts map[string]bool, w *index.Writer, prog *Progress) error {
	src, err := importers.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	imp := forced
	if imp == nil {
		imp, err = importers.Sniff(src.Head)
		if err != nil {
			sum.Unrecognised = append(sum.Unrecognised, path)
			return nil
		}
	}
	stats.Files++
	key := checkpointKey(path)
	skip, unchanged, ck := resume(store, src, key)
	if unchanged {
		// Same size and time as a finished import: nothing to read.
		sum.Present += skip
		sum.Unchanged++
		return nil
	}
	if identityIDs[imp.Name()] {
		w.BeginSource(src.Identity)
		defer w.EndSource()
	}
	emitted := 0
	emit := func(ev *index.Event) error {
		emitted++
		if emitted <= skip {
			sum.Present++
			return nil
		}
		if ev.Host != "" {
			hosts[ev.Host] = true
		}
		sum.Formats[ev.Format]++
		if err := w.Add(ev); err != nil {
			return writeError{err}
		}
		prog.Events++
		if emitted%checkpointEvery == 0 {
			ck.Events = emitted
			w.Mark(key, ck.encode())
		}
		if opts.Progress != nil && prog.Events%5000 == 0 {
			opts.Progress(*prog)
		}
		return nil
	}
	if err := imp.Import(ctx, src, opts.Options, stats, emit); err != nil {
		var werr writeError
		if errors.As(err, &werr) {
			return werr
		}
		return fmt.Errorf("%s (%s): %w", path, imp.Name(), err)
	}
	if ctx.Err() != nil {
		return nil // interrupted: the last periodic checkpoint stands
	}
	ck.Events, ck.Done = emitted, true
	if st, err := os.Stat(path); err == nil && path != "-" {
		ck.Size, ck.ModTime = st.Size(), st.ModTime()
	}
	if path != "-" {
		w.Mark(key, ck.encode())
	}
	return nil
}
