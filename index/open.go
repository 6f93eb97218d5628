package index

// Opening and closing a store: the directory, its lock, and the two Bleve
// indexes. The event log's own open and repair are in eventlog.go.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

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

// ErrLocked is returned by the opens that do not wait (Open,
// OpenOrCreate, OpenReadOnly) when the lock is held the other way.
var ErrLocked = errors.New("in use by another sshtrail process")

// ErrNoIndex is returned by Open when dir holds no index.
var ErrNoIndex = errors.New("no sshtrail index here")

// ErrReadOnly is what every write to a read-only store returns.
var ErrReadOnly = errors.New("opened read-only: no writes")

// Open opens an existing index for writing. It does not wait for other
// processes (ErrLocked); commands use OpenContext, which does.
func Open(dir string) (*Store, error) { return open(context.Background(), dir, OpenOptions{}, false) }

// OpenOrCreate opens dir for writing, creating an empty index if there is
// none. Like Open, it does not wait.
func OpenOrCreate(dir string) (*Store, error) {
	return open(context.Background(), dir, OpenOptions{Create: true}, false)
}

func open(ctx context.Context, dir string, o OpenOptions, wait bool) (*Store, error) {
	create := o.Create && !o.ReadOnly
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
	if o.ReadOnly {
		if _, err := os.Stat(filepath.Join(dir, bleveDir)); os.IsNotExist(err) {
			// Before the lock: a reader must not leave a lock file in a
			// directory that is not an index.
			return nil, fmt.Errorf("index %s: %w (run `sshtrail import` first)", dir, ErrNoIndex)
		}
	}
	lf, err := lockIndex(ctx, dir, o, wait)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, lock: lf, notes: notes}
	if o.ReadOnly {
		// Set before the indexes and the log open: they open read-only and
		// repair nothing. The stop on writes (failed) is the one every write
		// path already checks before it touches a file, so a write on a
		// read-only store ends with an error, never half written; the
		// Bleve indexes refuse writes as well (readOnlyIndex).
		s.readOnly = true
		s.failed = fmt.Errorf("index %s: %w", dir, ErrReadOnly)
	} else {
		// Only a writer has a persister whose errors are watched.
		watched.Store(filepath.Clean(dir), s)
	}
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
	cfg := scorchConfig()
	if s.readOnly {
		// Scorch then runs no persister or merger and opens its root bolt
		// read-only, under a shared flock: readers in several processes
		// open the same index at once.
		cfg["read_only"] = true
		create = false
	}
	idx, err := bleve.OpenUsing(path, cfg)
	switch {
	case err == nil && s.readOnly:
		return readOnlyIndex{idx}, nil
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

func (s *Store) unlock() {
	if v, ok := watched.Load(filepath.Clean(s.dir)); ok && v.(*Store) == s {
		watched.Delete(filepath.Clean(s.dir))
	}
	if s.lock != nil {
		// Unregistered while still held: no one waits for a holder that
		// already left.
		unregister(filepath.Join(s.dir, holdersDir), s.lock)
		syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		s.lock.Close()
		s.lock = nil
	}
}

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
	// tidy writes; after a full disk that write panicked inside zapx, and a
	// read-only store writes nothing.
	if s.Failed() == nil && !s.readOnly {
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

// readOnlyIndex is a read-only store's Bleve index: writes fail at once.
// A batch on a read-only scorch would wait forever for a persister that
// does not run.
type readOnlyIndex struct{ engine }

// engine names the embedded index: a field called Index would clash with
// its method Index.
type engine = bleve.Index

func (readOnlyIndex) Index(string, interface{}) error   { return ErrReadOnly }
func (readOnlyIndex) Delete(string) error               { return ErrReadOnly }
func (readOnlyIndex) Batch(*bleve.Batch) error          { return ErrReadOnly }
func (readOnlyIndex) SetInternal(key, val []byte) error { return ErrReadOnly }
func (readOnlyIndex) DeleteInternal(key []byte) error   { return ErrReadOnly }
