// Package importers turns log bytes into index.Events. It knows formats and
// nothing about Bleve. Each format lives in its own subpackage and registers
// itself here; cmd and tests import importers/all to get every format.
package importers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Options are the user's hints for formats that lack information.
type Options struct {
	Year     int            // RFC 3164 year; 0 = infer from the file's time
	Location *time.Location // zone for timestamps without one; nil = UTC
	Host     string         // host for formats whose records lack one (unified, auditd without node=)
	ZeekConn string         // "" or "all": every conn.log record; "ssh": only port 22 / service ssh
}

// Loc returns the zone to read zone-less timestamps in.
func (o Options) Loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// Emit receives one event at a time. The importer may reuse nothing the
// callback keeps: each Event passed is fresh.
type Emit func(*schema.Event) error

// Importer streams the events of one source.
type Importer interface {
	// Name is the format name used by --format (authlog, journal, unified, zeek, auditd).
	Name() string
	// Sniff reports whether head (the first bytes of the decompressed file) looks like this format.
	Sniff(head []byte) bool
	// Import reads src to its end, calling emit for each event and counting
	// what it could not use in stats. It returns an error only when the
	// whole source is unusable or emit fails; bad lines are counted, not fatal.
	Import(ctx context.Context, src *Source, opts Options, stats *Stats, emit Emit) error
}

var (
	regMu    sync.RWMutex
	registry = map[string]Importer{}
	order    []string // sniff order: more specific formats first
)

// Register adds an importer. Formats with a lower priority number are sniffed
// first; syslog, which accepts almost anything, registers last.
func Register(imp Importer, priority int) {
	regMu.Lock()
	defer regMu.Unlock()
	registry[imp.Name()] = imp
	prio[imp.Name()] = priority
	order = append(order, imp.Name())
	sort.SliceStable(order, func(i, j int) bool { return prio[order[i]] < prio[order[j]] })
}

var prio = map[string]int{}

// Lookup returns the importer of a format name.
func Lookup(name string) (Importer, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	imp, ok := registry[name]
	return imp, ok
}

// Names lists the registered formats in sniff order.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	return append([]string(nil), order...)
}

// ErrUnknownFormat is returned by Sniff when no importer claims the content.
var ErrUnknownFormat = errors.New("unrecognised format")

// Sniff picks the importer whose format the content looks like.
func Sniff(head []byte) (Importer, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	for _, n := range order {
		if registry[n].Sniff(head) {
			return registry[n], nil
		}
	}
	return nil, ErrUnknownFormat
}

// MaxSamples is how many file:line samples a Stats keeps per kind.
const MaxSamples = 5

// Stats counts what an import did with one or more sources. Zero value is ready.
type Stats struct {
	Files      int                 `json:"files"`
	Events     int                 `json:"events"`            // events emitted by importers
	Ignored    int                 `json:"ignored"`           // lines from programs sshtrail does not read
	Malformed  int                 `json:"malformed"`         // lines or records that did not parse
	Other      int                 `json:"other"`             // sshd lines of no known form, kept as action "other"
	Truncated  int                 `json:"truncated"`         // lines cut at MaxLine
	Skipped    int                 `json:"skipped"`           // records skipped by option (e.g. --zeek-conn ssh, other Zeek logs)
	Formats    map[string]int      `json:"formats"`           // events per format
	Samples    map[string][]string `json:"samples,omitempty"` // kind -> up to MaxSamples "file:line reason"
	Assumed    []string            `json:"assumed,omitempty"` // what was assumed: "year 2026 for auth.log", "zone UTC", "host from file name"
	FileErrors []string            `json:"file_errors,omitempty"`
}

// Sample records file:line for a kind of problem (ignored, malformed, other...).
func (s *Stats) Sample(kind, file string, line int64, why string) {
	if s.Samples == nil {
		s.Samples = map[string][]string{}
	}
	if len(s.Samples[kind]) >= MaxSamples {
		return
	}
	v := fmt.Sprintf("%s:%d", file, line)
	if why != "" {
		v += " " + why
	}
	s.Samples[kind] = append(s.Samples[kind], v)
}

// AddMalformed counts a bad line and keeps a sample.
func (s *Stats) AddMalformed(file string, line int64, why string) {
	s.Malformed++
	s.Sample("malformed", file, line, why)
}

// AddIgnored counts a line from a program sshtrail does not read.
func (s *Stats) AddIgnored(file string, line int64) {
	s.Ignored++
	s.Sample("ignored", file, line, "")
}

// Assume notes an assumption once.
func (s *Stats) Assume(what string) {
	for _, a := range s.Assumed {
		if a == what {
			return
		}
	}
	s.Assumed = append(s.Assumed, what)
}

// Counted records one emitted event of a format.
func (s *Stats) Counted(format string) {
	s.Events++
	if s.Formats == nil {
		s.Formats = map[string]int{}
	}
	s.Formats[format]++
}

// Merge adds o into s.
func (s *Stats) Merge(o Stats) {
	s.Files += o.Files
	s.Events += o.Events
	s.Ignored += o.Ignored
	s.Malformed += o.Malformed
	s.Other += o.Other
	s.Truncated += o.Truncated
	s.Skipped += o.Skipped
	for k, v := range o.Formats {
		if s.Formats == nil {
			s.Formats = map[string]int{}
		}
		s.Formats[k] += v
	}
	for k, vs := range o.Samples {
		for _, v := range vs {
			if s.Samples == nil {
				s.Samples = map[string][]string{}
			}
			if len(s.Samples[k]) < MaxSamples {
				s.Samples[k] = append(s.Samples[k], v)
			}
		}
	}
	for _, a := range o.Assumed {
		s.Assume(a)
	}
	s.FileErrors = append(s.FileErrors, o.FileErrors...)
}
