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
	"github.com/sshtrail/sshtrail/schema"
)

// Options steer one import.
type Options struct {
	importers.Options
	Format    string // force this format; "" sniffs each file
	BatchSize int
	// Complete says the files are finished: a plain file's last line counts
	// even without a newline. Otherwise that line is held back until the
	// writer ends it (compressed files and stdin are complete at their EOF).
	Complete bool
	// FollowLinks follows links in folders and globs that lead outside the
	// folder being imported; by default they are named, not read.
	FollowLinks bool
	// MaxExpanded caps the decompressed bytes of each compressed file
	// (0: importers.DefaultMaxExpanded).
	MaxExpanded int64
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
	SkippedSpecial  []string      `json:"skipped_special,omitempty"`    // "path (fifo)": not regular files, found in folders or globs
	NotFollowed     []string      `json:"links_not_followed,omitempty"` // "link leaves the folder: a/b -> /etc/shadow"
	HeldBack        int           `json:"held_back_lines,omitempty"`    // unterminated final lines not read (one per file at most)
	HeldBackFiles   []string      `json:"held_back_files,omitempty"`
	Interrupted     bool          `json:"interrupted,omitempty"`
	Took            time.Duration `json:"-"`
	Seconds         float64       `json:"seconds"`
	EventsPerSec    float64       `json:"events_per_sec"`
	Hosts           []string      `json:"hosts,omitempty"`            // hosts that got events (for incremental session rebuilds)
	Sessions        int           `json:"sessions,omitempty"`         // sessions in the index after the rebuild (set by the caller)
	SessionsSeconds float64       `json:"sessions_seconds,omitempty"` // how long that rebuild took (not in Seconds)
}

// Expansion is what Expand made of the user's paths.
type Expansion struct {
	Files       []string // to read, in order; a followed link appears as its target
	Problems    []string // paths that could not be expanded: file errors
	Special     []string // FIFOs, devices, sockets met in folders and globs: "path (fifo)", not read
	NotFollowed []string // links not read: "link leaves the folder: a/b -> /etc/shadow"
}

// Expand turns the user's paths (files, folders, globs, "-") into files.
// Folders are walked recursively without following symlinked directories
// (no loops); unreadable entries are reported, not fatal. Paths named
// directly are read as given (Open refuses them if they are not regular
// files). In folders and glob matches, special files are skipped and named,
// and a link is read only if its target stays inside the folder walked (or
// the glob's fixed leading directory), unless followLinks: a case folder
// must not pull in /etc/shadow or another case's logs. A followed link is
// read under its target's path, so a link to a file of the same folder does
// not read that file twice.
func Expand(paths []string, followLinks bool) Expansion {
	var x Expansion
	seen := map[string]bool{}
	add := func(p string) {
		key := p
		if p != "-" {
			if abs, err := filepath.Abs(p); err == nil {
				key = abs
			}
		}
		if !seen[key] {
			seen[key] = true
			x.Files = append(x.Files, p)
		}
	}
	for _, p := range paths {
		if p == "-" {
			add(p)
			continue
		}
		matches := []string{p}
		glob := strings.ContainsAny(p, "*?[")
		if glob {
			m, err := filepath.Glob(p)
			if err != nil {
				x.Problems = append(x.Problems, fmt.Sprintf("%s: %v", p, err))
				continue
			}
			if len(m) == 0 {
				x.Problems = append(x.Problems, fmt.Sprintf("%s: no files match", p))
			}
			matches = m
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				x.Problems = append(x.Problems, fmt.Sprintf("%s: %v", m, err))
				continue
			}
			if !st.IsDir() {
				if !glob {
					add(m)
					continue
				}
				if f, ok := x.entry(globRoot(p), m, followLinks); ok {
					add(f)
				}
				continue
			}
			var inDir []string
			filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					x.Problems = append(x.Problems, fmt.Sprintf("%s: %v", path, err))
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
				if strings.HasPrefix(name, ".") {
					return nil
				}
				// Every file is sniffed by content, whatever its name: a saved
				// `log show` capture is usually a .txt. Notes and configs beside
				// the logs are named in the summary as not recognised, never
				// skipped silently.
				if f, ok := x.entry(m, path, followLinks); ok {
					inDir = append(inDir, f)
				}
				return nil
			})
			sort.Strings(inDir)
			for _, f := range inDir {
				add(f)
			}
		}
	}
	return x
}

// entry decides about one file met under root (a folder walked, or a glob's
// leading directory): the path to read, or why not (noted in x).
func (x *Expansion) entry(root, path string, followLinks bool) (string, bool) {
	lst, err := os.Lstat(path)
	if err != nil {
		x.Problems = append(x.Problems, fmt.Sprintf("%s: %v", path, err))
		return "", false
	}
	if lst.Mode()&fs.ModeSymlink == 0 {
		if k := importers.SpecialKind(lst.Mode()); k != "" {
			x.Special = append(x.Special, fmt.Sprintf("%s (%s)", path, k))
			return "", false
		}
		return path, !lst.IsDir()
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		x.NotFollowed = append(x.NotFollowed, fmt.Sprintf("broken link: %s", path))
		return "", false
	}
	if abs, err := filepath.Abs(target); err == nil {
		target = abs // shown and read under one unambiguous name
	}
	st, err := os.Stat(target)
	if err != nil {
		x.NotFollowed = append(x.NotFollowed, fmt.Sprintf("broken link: %s -> %s", path, target))
		return "", false
	}
	if st.IsDir() {
		// A link to a folder could loop; its files can be named directly.
		x.NotFollowed = append(x.NotFollowed, fmt.Sprintf("link to a folder: %s -> %s", path, target))
		return "", false
	}
	if k := importers.SpecialKind(st.Mode()); k != "" {
		x.Special = append(x.Special, fmt.Sprintf("%s -> %s (%s)", path, target, k))
		return "", false
	}
	if rel, ok := inside(root, target); ok {
		// Read under the path the folder walk gives the target itself.
		return filepath.Join(root, rel), true
	}
	if !followLinks {
		x.NotFollowed = append(x.NotFollowed, fmt.Sprintf("link leaves the folder: %s -> %s", path, target))
		return "", false
	}
	return target, true
}

// inside reports whether target (symlinks resolved) lies under root, and
// where relative to it.
func inside(root, target string) (string, bool) {
	r, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", false
	}
	r, err1 := filepath.Abs(r)
	t, err2 := filepath.Abs(target)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(r, t)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return rel, true
}

// globRoot is the leading directory of a pattern that holds no wildcard:
// "case/*/auth.log*" -> "case", "*.log" -> ".".
func globRoot(pattern string) string {
	dir := filepath.Dir(pattern)
	for strings.ContainsAny(dir, "*?[") {
		dir = filepath.Dir(dir)
	}
	return dir
}

// Run imports paths into store. When ctx is cancelled the file being read
// stops within one read, what was read is committed, and Run returns the
// summary so far with an error wrapping ctx.Err().
func Run(ctx context.Context, store *index.Store, paths []string, opts Options) (*Summary, error) {
	start := time.Now()
	x := Expand(paths, opts.FollowLinks)
	files := x.Files
	sum := &Summary{SkippedSpecial: x.Special, NotFollowed: x.NotFollowed}
	sum.FileErrors = append(sum.FileErrors, x.Problems...)
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
	if err := ctx.Err(); err != nil {
		sum.Interrupted = true
		if prog.File == "-" {
			// A pipe cannot be read again: what it held past here is gone.
			return sum, fmt.Errorf("interrupted while reading stdin: the %d events added are committed; the rest of the input was not read: %w", sum.Added, err)
		}
		return sum, fmt.Errorf("interrupted while reading %s: the %d events added are committed; the same import resumes: %w",
			prog.File, sum.Added, err)
	}
	return sum, nil
}

type writeError struct{ err error }

func (e writeError) Error() string { return e.err.Error() }

// identityIDs are the importers whose every event id hashes the source's
// identity (schema.EventID(src.Identity, ...)): a never-seen identity then
// means never-indexed events (index.Writer.BeginSource). journald ids hash
// the journal cursor instead, so overlapping exports dedupe.
var identityIDs = map[string]bool{"authlog": true, "auditd": true, "unified": true, "zeek": true}

func importFile(ctx context.Context, store *index.Store, path string, forced importers.Importer, opts Options, stats *importers.Stats, sum *Summary, hosts map[string]bool, w *index.Writer, prog *Progress) error {
	src, err := importers.OpenContext(ctx, path, importers.OpenOptions{Complete: opts.Complete, MaxExpanded: opts.MaxExpanded})
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
	base, unchanged, ck := resume(store, src, key, opts.Complete)
	if unchanged {
		// Same size and time as a finished import: nothing to read.
		sum.Present += base.present()
		sum.Unchanged++
		if base.Held > 0 {
			sum.HeldBack++
			sum.HeldBackFiles = append(sum.HeldBackFiles, path)
		}
		return nil
	}
	if identityIDs[imp.Name()] {
		w.BeginSource(src.Identity)
		defer w.EndSource()
	}
	emitted := 0 // every event of the file, skipped or not
	past := 0    // events after base.Line
	maxLine := base.Line
	emit := func(ev *schema.Event) error {
		if err := ctx.Err(); err != nil {
			// Nothing more after a cancellation: a record cut by it
			// (a cut gzip line, an auditd event flushed early) is no record.
			return err
		}
		emitted++
		if ev.Line > maxLine {
			maxLine = ev.Line
		}
		if base.Line > 0 && ev.Line > 0 && ev.Line <= base.Line {
			sum.Present++
			return nil
		}
		past++
		if past <= base.Events {
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
		if past%checkpointEvery == 0 {
			ck.Line, ck.Events = base.Line, past
			w.Mark(key, ck.encode())
		}
		if opts.Progress != nil && prog.Events%5000 == 0 {
			opts.Progress(*prog)
		}
		return nil
	}
	err = imp.Import(ctx, src, opts.Options, stats, emit)
	var werr writeError
	if errors.As(err, &werr) {
		return werr
	}
	if ctx.Err() != nil {
		return nil // interrupted: the last periodic checkpoint stands
	}
	if err != nil {
		return fmt.Errorf("%s (%s): %w", path, imp.Name(), err)
	}
	if h := src.HeldBack(); h > 0 {
		sum.HeldBack++
		sum.HeldBackFiles = append(sum.HeldBackFiles, path)
	}
	if path == "-" {
		return nil
	}
	ck.Line, ck.Events, ck.Total, ck.Done = maxLine, 0, emitted, true
	ck.Offset, ck.Held = src.Consumed(), src.HeldBack()
	if st, err := os.Stat(path); err == nil {
		ck.Size, ck.ModTime = st.Size(), st.ModTime()
		if src.Compression == "" {
			// What was read, not what the file has grown to since: lines
			// written after our EOF must not look already imported.
			ck.Size = ck.Offset + ck.Held
		}
	}
	w.Mark(key, ck.encode())
	return nil
}
