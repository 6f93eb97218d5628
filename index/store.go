package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Store is one case index on disk: a Bleve index of the searchable fields
// (each event's document id is its number in the event log), and the event
// log (eventlog.go) holding each event's JSON and, apart, its message.
// Search answers come from Bleve and, for free text, from a scan of the
// messages (textquery.go); the events themselves are read from the log,
// which also makes full scans (sessions, detections, exports) sequential
// reads instead of thousands of paged searches.
//
// Crash safety: the log is appended first, then the Bleve batch commits
// together with the log's new frame count (an internal key). On open,
// anything in the log past the committed frames is cut off, so a kill at
// any point leaves a consistent store and a re-import adds exactly what is
// missing.
type Store struct {
	dir     string
	idx     bleve.Index // events
	sidx    bleve.Index // sessions
	mapping *mapping.IndexMappingImpl
	lock    *os.File

	logMu  sync.Mutex // one commit at a time
	log    *eventLog
	frames frameCache
	hourc  hourCache
	texts  textCache // free-text clauses' event sets (textquery.go)
	seqm   seqMaps   // event numbers of each segment's documents
	// noFastPaths makes every question go through Bleve's collectors
	// (tests compare both ways).
	noFastPaths bool
	build       docBuilder

	failMu sync.Mutex
	failed error // out of space: no more writes (space.go)

	notes  []string // what open changed or warns about (Notes)
	closed bool
	// readOnly: opened by a reading command; it never writes, repairs or
	// tidies (open.go, eventlog.go).
	readOnly bool
}

const (
	bleveDir    = "bleve"
	sessionsDir = "sessions"
	lockFile    = "lock"
	keyVersion  = "version"
	storeFormat = "4" // 2: compressed event-log frames; 3: sessions in their own index; 4: message out of Bleve, zstd frames, sequential doc ids
)

// Dir is the index directory.
func (s *Store) Dir() string { return s.dir }

// GetInternal / SetInternal keep small pieces of state (checkpoints, learned
// profiles) inside the index, committed atomically by Bleve.
func (s *Store) GetInternal(key string) ([]byte, error) { return s.idx.GetInternal([]byte(key)) }

// SetInternal stores a value under key.
func (s *Store) SetInternal(key string, v []byte) error {
	if err := s.Failed(); err != nil {
		return err
	}
	return s.fail("writing "+key, s.idx.SetInternal([]byte(key), v))
}

// scorchConfig tunes Bleve's segment merging for bulk loads: merging fewer,
// larger sets of segments cut ingest CPU by about a fifth (measured: 12.7 →
// 10.2 CPU-seconds per 100k events) at the price of a few more segments
// between merges. unsafe_batch stays off: it lost a batch on Close here.
func scorchConfig() map[string]interface{} {
	return map[string]interface{}{
		// Keep no older snapshots: their segment files would stay on disk
		// (a compacted 831k-event index kept 3x its size in dead segments).
		"numSnapshotsToKeep": 0,
		// Out-of-space errors from the persister and merger reach the
		// store (space.go).
		"asyncErrorCallbackName": asyncErrorCallback,
		"scorchMergePlanOptions": map[string]interface{}{
			"MaxSegmentsPerTier":   30,
			"SegmentsPerMergeTask": 30,
		},
	}
}

// Compact merges the index's segments into a few large ones. A bulk import
// leaves hundreds of small segments and every query pays for each of them
// (measured on 831k events: a term count took ~290 ms before compaction);
// the import command compacts after large imports.
//
// Merging writes the merged segments before it drops the old ones, so it
// needs about the index's size free; without it the command says so at
// once instead of starting.
func (s *Store) Compact(ctx context.Context) error {
	if err := s.Failed(); err != nil {
		return err
	}
	for _, d := range []struct {
		idx  bleve.Index
		path string
	}{{s.idx, bleveDir}, {s.sidx, sessionsDir}} {
		need, free := dirSize(filepath.Join(s.dir, d.path)), FreeBytes(s.dir)
		if free >= 0 && free < need+compactSlack {
			return fmt.Errorf("%w for compaction of %s: %s free, it needs about %s (the events are stored; free space and re-run the import)",
				ErrNoSpace, s.dir, mib(free), mib(need+compactSlack))
		}
		adv, err := d.idx.Advanced()
		if err != nil {
			return err
		}
		sc, ok := adv.(*scorch.Scorch)
		if !ok {
			continue
		}
		if err := s.forceMerge(ctx, sc); err != nil {
			return err
		}
	}
	// The merged segments' free-text maps, made now so that no reader
	// walks their id dictionaries (textquery.go).
	return s.PrepareText()
}

// compactSlack is room kept free beyond the index's size while compacting.
const compactSlack = 8 << 20

// forceMerge runs Bleve's ForceMerge but returns on the first merge error,
// a full disk or cancellation: ForceMerge itself waits for a merge that the
// merger, after an error, never finishes.
func (s *Store) forceMerge(ctx context.Context, sc *scorch.Scorch) error {
	opts := mergeplan.SingleSegmentMergePlanOptions
	opts.MaxSegmentsPerTier = 2
	opts.SegmentsPerMergeTask = 10
	errc := make(chan error, 64)
	// The merger reports every merge's result on a channel under this
	// exact key (bleve index/scorch/merge.go, mergeDoneKey).
	//lint:ignore SA1029 the key is Bleve's, a plain string
	mctx := context.WithValue(ctx, "mergeDone", errc)
	done := make(chan error, 1)
	go func() { done <- sc.ForceMerge(mctx, &opts) }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return s.fail("compacting the index", fmt.Errorf("index %s: compact: %w", s.dir, err))
			}
			if err := s.Failed(); err != nil {
				return err
			}
			return ctx.Err()
		case err := <-errc:
			if err != nil {
				return s.fail("compacting the index", fmt.Errorf("index %s: compact: %w", s.dir, err))
			}
		case <-tick.C:
			if err := s.Failed(); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Segments is how many segments the index has (for diagnostics).
func (s *Store) Segments() int {
	m := s.idx.StatsMap()
	if idx, ok := m["index"].(map[string]interface{}); ok {
		if n, ok := idx["num_root_segments"].(uint64); ok {
			return int(n)
		}
	}
	return -1
}
