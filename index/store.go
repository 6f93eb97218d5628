package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Store is one case index on disk: a Bleve index of the searchable fields and
// an append-only event log (events.jsonl) holding each event's JSON. Search
// answers come from Bleve; the events themselves are read from the log,
// which also makes full scans (sessions, detections, exports) sequential
// reads instead of thousands of paged searches.
//
// Crash safety: the log is appended first, then the Bleve batch commits
// together with the log's new length (an internal key). On open, anything
// in the log past the committed length is cut off, so a kill at any point
// leaves a consistent store and a re-import adds exactly what is missing.
type Store struct {
	dir     string
	idx     bleve.Index // events
	sidx    bleve.Index // sessions
	mapping *mapping.IndexMappingImpl
	lock    *os.File

	logMu  sync.Mutex
	log    *os.File
	logLen int64
	frames frameCache
	hourc  hourCache
	// noFastPaths makes every question go through Bleve's collectors
	// (tests compare both ways).
	noFastPaths bool
	build       docBuilder

	failMu sync.Mutex
	failed error // out of space: no more writes (space.go)

	notes  []string // what open changed or warns about (Notes)
	closed bool
}

// Notes says what opening the index changed or found wrong that the user
// should hear about (a directory others could read, tightened to 0700).
func (s *Store) Notes() []string { return s.notes }

// tighten makes an index directory that others can reach owner-only: it
// holds case data, and an --index pointed at an existing 0777 directory
// used to stay 0777 without a word.
func tighten(dir string, perm os.FileMode) []string {
	if perm&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, perm&0o700|0o700); err != nil {
		return []string{fmt.Sprintf("index %s is readable by others (%#o) and could not be made owner-only: %v", dir, perm, err)}
	}
	return []string{fmt.Sprintf("index %s was %#o: made owner-only (0700), it holds case data", dir, perm)}
}

const (
	bleveDir    = "bleve"
	sessionsDir = "sessions"
	eventLog    = "events.jsonl"
	lockFile    = "lock"
	keyLogLen   = "loglen"
	keyVersion  = "version"
	storeFormat = "3" // 2: compressed event-log frames; 3: sessions in their own index
)

// ErrLocked is returned when another process holds the index.
var ErrLocked = errors.New("in use by another sshtrail process")

// ErrNoIndex is returned by Open when dir holds no index.
var ErrNoIndex = errors.New("no sshtrail index here")

// Open opens an existing index.
func Open(dir string) (*Store, error) { return open(dir, false) }

// OpenOrCreate opens dir, creating an empty index if there is none.
func OpenOrCreate(dir string) (*Store, error) { return open(dir, true) }

func open(dir string, create bool) (*Store, error) {
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("index %s: %w", dir, err)
		}
	}
	st, err := os.Stat(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("index %s: %w (run `sshtrail import` first)", dir, ErrNoIndex)
		}
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("index %s: not a directory", dir)
	}
	notes := tighten(dir, st.Mode().Perm())
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	// Non-blocking: Bleve's own bolt lock would wait forever.
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		return nil, fmt.Errorf("index %s is %w", dir, ErrLocked)
	}
	s := &Store{dir: dir, lock: lf, notes: notes}
	watched.Store(filepath.Clean(dir), s)
	if err := s.openBleve(create); err != nil {
		s.unlock()
		return nil, err
	}
	if err := s.openLog(); err != nil {
		s.closeIndexes()
		s.unlock()
		return nil, err
	}
	return s, nil
}

func (s *Store) openOne(path string, create bool) (bleve.Index, error) {
	idx, err := bleve.OpenUsing(path, scorchConfig())
	switch {
	case err == nil:
		return idx, nil
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist) && create:
		idx, err = bleve.NewUsing(path, s.mapping, scorch.Name, scorch.Name, scorchConfig())
		if err != nil {
			return nil, fmt.Errorf("index %s: create: %w", s.dir, err)
		}
		if err := idx.SetInternal([]byte(keyVersion), []byte(storeFormat)); err != nil {
			idx.Close()
			return nil, err
		}
		return idx, nil
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		return nil, fmt.Errorf("index %s: %w (run `sshtrail import` first)", s.dir, ErrNoIndex)
	default:
		return nil, fmt.Errorf("index %s: %w", s.dir, err)
	}
}

func (s *Store) openBleve(create bool) error {
	m, err := NewMapping()
	if err != nil {
		return err
	}
	kw := m.AnalyzerNamed(keyword.Name)
	if kw == nil {
		return fmt.Errorf("index: keyword analyzer missing")
	}
	text := m.AnalyzerNamed(TextAnalyzer)
	if text == nil {
		return fmt.Errorf("index: text analyzer missing")
	}
	s.mapping, s.build = m, docBuilder{kw: kw, text: text}
	if s.idx, err = s.openOne(filepath.Join(s.dir, bleveDir), create); err != nil {
		return err
	}
	// Sessions live in an index of their own: event queries then need no
	// document-type filter, which tripled the cost of a term count on 831k
	// events (measured: 25 ms without it, 57–90 ms with it).
	if s.sidx, err = s.openOne(filepath.Join(s.dir, sessionsDir), true); err != nil {
		s.closeIndexes()
		return err
	}
	return nil
}

// closeIndexes closes the Bleve indexes open has opened so far, when a
// later step fails: a store that did not open holds nothing (no files, no
// Bleve lock that would block the next open).
func (s *Store) closeIndexes() {
	for _, idx := range []*bleve.Index{&s.idx, &s.sidx} {
		if *idx != nil {
			(*idx).Close()
			*idx = nil
		}
	}
}

func (s *Store) openLog() error {
	f, err := os.OpenFile(filepath.Join(s.dir, eventLog), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("index %s: %w", s.dir, err)
	}
	// The committed length decides what of the log is cut: a length that
	// cannot be read must stop the open, never be taken as 0 (that
	// truncated a whole case's events).
	committed := int64(0)
	v, err := s.idx.GetInternal([]byte(keyLogLen))
	if err != nil {
		f.Close()
		return fmt.Errorf("index %s: read committed event-log length: %w (not opened, nothing changed)", s.dir, err)
	}
	if len(v) > 0 {
		committed, err = strconv.ParseInt(string(v), 10, 64)
		if err != nil || committed < 0 {
			f.Close()
			return fmt.Errorf("index %s: committed event-log length %q is garbled (not opened, nothing changed)", s.dir, v)
		}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if st.Size() < committed {
		f.Close()
		return fmt.Errorf("index %s: event log is %d bytes but %d were committed: it was cut or replaced (not opened, nothing changed)", s.dir, st.Size(), committed)
	}
	if st.Size() > committed {
		// A crash between appending and committing: drop the uncommitted tail.
		if err := f.Truncate(committed); err != nil {
			f.Close()
			return fmt.Errorf("index %s: repair event log: %w", s.dir, err)
		}
	}
	s.log = f
	s.logLen = committed
	return nil
}

func (s *Store) unlock() {
	if v, ok := watched.Load(filepath.Clean(s.dir)); ok && v.(*Store) == s {
		watched.Delete(filepath.Clean(s.dir))
	}
	if s.lock != nil {
		syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		s.lock.Close()
		s.lock = nil
	}
}

// Dir is the index directory.
func (s *Store) Dir() string { return s.dir }

// Close flushes and releases the index.
func (s *Store) Close() error {
	// Idempotent: deferred closes after an explicit one are common and
	// Bleve panics on a second close. The indexes stay set: a reader still
	// running gets Bleve's "index closed" error, not a nil dereference.
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	// tidy writes; after a full disk that write panicked inside zapx.
	if s.Failed() == nil {
		if s.idx != nil {
			tidy(s.idx, filepath.Join(s.dir, bleveDir))
		}
		if s.sidx != nil {
			tidy(s.sidx, filepath.Join(s.dir, sessionsDir))
		}
	}
	if s.idx != nil {
		errs = append(errs, s.idx.Close())
	}
	if s.sidx != nil {
		errs = append(errs, s.sidx.Close())
	}
	if s.log != nil {
		errs = append(errs, s.log.Close())
	}
	s.unlock()
	return errors.Join(errs...)
}

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
	return nil
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
