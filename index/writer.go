package index

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// DefaultBatchSize is events per Bleve batch. DESIGN.md measured 1k faster
// than 10k (smaller segments merge sooner, less garbage per batch).
const DefaultBatchSize = 2000

// WriteStats says what a Writer did.
type WriteStats struct {
	Added   int // new events
	Present int // events whose id was already in the index
}

// Writer adds events in batches. Add hands full batches to a background
// committer so parsing of the next batch overlaps indexing of this one.
// A Writer is used by one goroutine; call Close to commit the rest.
type Writer struct {
	s         *Store
	batchSize int
	pending   []*Event
	marks     []mark
	queue     chan batchJob
	done      chan struct{}
	errMu     sync.Mutex
	err       error // first commit error
	errc      chan error
	stats     WriteStats
	seen      map[string]struct{} // ids queued but not yet committed
}

// NewWriter starts a batched writer.
func (s *Store) NewWriter(batchSize int) *Writer {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	w := &Writer{
		s: s, batchSize: batchSize,
		queue: make(chan batchJob, 1),
		done:  make(chan struct{}),
		errc:  make(chan error, 1),
	}
	go w.loop()
	return w
}

func (w *Writer) loop() {
	defer close(w.done)
	for job := range w.queue {
		if w.firstErr() != nil {
			continue
		}
		if err := w.commit(job.evs, job.marks); err != nil {
			w.errMu.Lock()
			w.err = err
			w.errMu.Unlock()
			select {
			case w.errc <- err:
			default:
			}
		}
	}
}

// Add queues one event.
func (w *Writer) Add(ev *Event) error {
	select {
	case err := <-w.errc:
		return err
	default:
	}
	w.pending = append(w.pending, ev)
	if len(w.pending) >= w.batchSize {
		w.send()
	}
	return nil
}

// mark is an internal key/value committed with a batch.
type mark struct {
	key string
	val []byte
}

type batchJob struct {
	evs   []*Event
	marks []mark
}

func (w *Writer) send() {
	w.queue <- batchJob{evs: w.pending, marks: w.marks}
	w.pending = make([]*Event, 0, w.batchSize)
	w.marks = nil
}

// Mark stores key=val in the index together with the batch that holds
// every event added before it: once the value is visible, those events are
// committed. Import checkpoints use it.
func (w *Writer) Mark(key string, val []byte) {
	w.marks = append(w.marks, mark{key, val})
}

// Flush commits what is pending and waits for it; the Writer stays usable.
func (w *Writer) Flush() error {
	if len(w.pending) > 0 || len(w.marks) > 0 {
		w.send()
	}
	// A round trip through the queue waits for every earlier batch.
	w.queue <- batchJob{}
	w.queue <- batchJob{}
	return w.firstErr()
}

func (w *Writer) firstErr() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

// Close commits the rest and stops the writer.
func (w *Writer) Close() (WriteStats, error) {
	if len(w.pending) > 0 || len(w.marks) > 0 {
		w.send()
	}
	close(w.queue)
	<-w.done
	return w.stats, w.firstErr()
}

// commit writes one batch: drop ids already indexed (or repeated inside the
// batch), append the rest to the event log, then commit the Bleve batch
// together with the log's new length.
func (w *Writer) commit(batch []*Event, marks []mark) error {
	if len(batch) == 0 && len(marks) == 0 {
		return nil
	}
	s := w.s
	ids := make([]string, 0, len(batch))
	uniq := make(map[string]bool, len(batch))
	for _, ev := range batch {
		if !uniq[ev.ID] {
			uniq[ev.ID] = false
			ids = append(ids, ev.ID)
		}
	}
	present, err := s.existing(ids)
	if err != nil {
		return err
	}
	jsons := make([][]byte, 0, len(batch))
	fresh := make([]*Event, 0, len(batch))
	for _, ev := range batch {
		if present[ev.ID] || uniq[ev.ID] {
			w.stats.Present++
			continue
		}
		uniq[ev.ID] = true
		js, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("index: encode event %s: %w", ev.ID, err)
		}
		jsons = append(jsons, js)
		fresh = append(fresh, ev)
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	off := s.logLen
	buf, positions, err := encodeFrames(jsons, off)
	if err != nil {
		return fmt.Errorf("index: compress events: %w", err)
	}
	if len(fresh) == 0 {
		if len(marks) == 0 {
			return nil
		}
		b := s.idx.NewBatch()
		for _, m := range marks {
			b.SetInternal([]byte(m.key), m.val)
		}
		if err := s.idx.Batch(b); err != nil {
			return fmt.Errorf("index: commit checkpoint: %w", err)
		}
		return nil
	}
	if _, err := s.log.WriteAt(buf, off); err != nil {
		return fmt.Errorf("index: append event log: %w", err)
	}
	b := s.idx.NewBatch()
	for i, ev := range fresh {
		if err := b.IndexAdvanced(s.build.event(ev, positions[i])); err != nil {
			return fmt.Errorf("index: event %s: %w", ev.ID, err)
		}
	}
	for _, m := range marks {
		b.SetInternal([]byte(m.key), m.val)
	}
	newLen := off + int64(len(buf))
	b.SetInternal([]byte(keyLogLen), []byte(strconv.FormatInt(newLen, 10)))
	if err := s.idx.Batch(b); err != nil {
		// The log tail past the committed length is cut on next open.
		return fmt.Errorf("index: commit batch: %w", err)
	}
	s.logLen = newLen
	w.stats.Added += len(fresh)
	return nil
}

// existing returns which of ids are already indexed.
func (s *Store) existing(ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.SortBy([]string{"_id"})
	res, err := s.idx.Search(req)
	if err != nil {
		return nil, fmt.Errorf("index: check existing ids: %w", err)
	}
	for _, h := range res.Hits {
		out[h.ID] = true
	}
	return out, nil
}
