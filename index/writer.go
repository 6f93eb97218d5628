package index

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"

	"github.com/sshtrail/sshtrail/schema"
)

// DefaultBatchSize is events per Bleve batch. With the pipelined writer
// (250k auth events) 1000 ran as fast as 2000 at 318 MB peak RSS instead of
// 459 MB; 5000 was 17% slower and 10000 half as fast (GC under the memory
// limit).
const DefaultBatchSize = 1000

// WriteStats says what a Writer did.
type WriteStats struct {
	Added   int // new events
	Present int // events whose id was already in the index
}

// Writer adds events in batches through a three-stage pipeline: the caller
// parses and Adds, a prepare stage dedups, encodes the event log frames,
// builds and analyses the Bleve documents, and a commit stage appends the
// log and commits the Bleve batch (segment building). Before the prepare
// stage existed, one goroutine did prepare and commit in turn and import
// used 1.3 of 2 cores.
//
// Commits stay strictly in order, so the log length committed with a batch
// always covers exactly the events indexed so far (crash safety, see Store).
// A Writer is used by one goroutine; call Close to commit the rest.
type Writer struct {
	s         *Store
	batchSize int
	pending   []*schema.Event
	fresh     []bool // per pending event: its source was never indexed
	marks     []mark
	prepq     chan batchJob
	commitq   chan prepared
	done      chan struct{}
	errMu     sync.Mutex
	err       error // first error of either stage
	errc      chan error
	stats     WriteStats

	// sources (BeginSource)
	tracked  bool            // the index has recorded every source identity
	idents   map[string]bool // identities begun by this writer
	srcFresh bool

	// prepare stage state
	nextFrame     int         // frame number the next prepared batch starts at
	evEnd, msgEnd int64       // where its parts start in the log files
	ids           *idSet      // every id key this writer prepared (and, once loaded, the committed ones)
	touched       *touchedSet // hosts and formats with events since the last rebuild
}

// mark is an internal key/value committed with a batch.
type mark struct {
	key string
	val []byte
}

type batchJob struct {
	evs   []*schema.Event
	fresh []bool
	marks []mark
	sync  chan struct{} // closed when everything before it is committed
}

// prepared is a batch ready to commit.
type prepared struct {
	batch   *bleve.Batch // nil: nothing to commit
	log     encodedBatch // frames to append
	added   int
	present int
	sync    chan struct{}
}

// NewWriter starts a batched writer.
func (s *Store) NewWriter(batchSize int) *Writer {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	s.logMu.Lock()
	nextFrame := s.log.frames()
	evEnd, msgEnd := s.log.ends()
	s.logMu.Unlock()
	w := &Writer{
		s: s, batchSize: batchSize,
		prepq:     make(chan batchJob, 1),
		commitq:   make(chan prepared, 1),
		done:      make(chan struct{}),
		errc:      make(chan error, 1),
		nextFrame: nextFrame, evEnd: evEnd, msgEnd: msgEnd,
		idents: map[string]bool{},
		ids:    &idSet{},
	}
	if s.readOnly {
		w.fail(fmt.Errorf("index %s: %w", s.dir, ErrReadOnly))
	}
	// Source identities are recorded from an index's first event on; an
	// index older than that never trusts their absence.
	if v, _ := s.idx.GetInternal([]byte(keyIdentsTracked)); len(v) > 0 {
		w.tracked = true
	} else if nextFrame == 0 {
		w.tracked = true
		w.Mark(keyIdentsTracked, []byte("1"))
	}
	t, err := s.Touched()
	if err != nil {
		// Unreadable: start from nothing recorded; the first batch writes a
		// fresh record, and every host this writer touches is in it.
		t = Touched{}
	}
	w.touched = newTouchedSet(t)
	go w.prepareLoop()
	go w.commitLoop()
	return w
}

func (w *Writer) fail(err error) {
	w.errMu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.errMu.Unlock()
	select {
	case w.errc <- err:
	default:
	}
}

func (w *Writer) prepareLoop() {
	defer close(w.commitq)
	for job := range w.prepq {
		if w.firstErr() != nil {
			if job.sync != nil {
				w.commitq <- prepared{sync: job.sync}
			}
			continue
		}
		p, err := w.prepare(job)
		if err != nil {
			w.fail(err)
			p = prepared{}
		}
		p.sync = job.sync
		w.commitq <- p
	}
}

func (w *Writer) commitLoop() {
	defer close(w.done)
	for p := range w.commitq {
		if w.firstErr() == nil {
			if err := w.commit(p); err != nil {
				w.fail(err)
			}
		}
		if p.sync != nil {
			close(p.sync)
		}
	}
}

// Add queues one event.
func (w *Writer) Add(ev *schema.Event) error {
	select {
	case err := <-w.errc:
		return err
	default:
	}
	w.pending = append(w.pending, ev)
	w.fresh = append(w.fresh, w.srcFresh)
	if len(w.pending) >= w.batchSize {
		w.send(nil)
	}
	return nil
}

func (w *Writer) send(sync chan struct{}) {
	w.prepq <- batchJob{evs: w.pending, fresh: w.fresh, marks: w.marks, sync: sync}
	w.pending = make([]*schema.Event, 0, w.batchSize)
	w.fresh = make([]bool, 0, w.batchSize)
	w.marks = nil
}

// keyIdentsTracked marks an index that records the identity of every
// source it indexed (under keyIdentPrefix).
const (
	keyIdentsTracked = "idents"
	keyIdentPrefix   = "ident/"
)

// BeginSource says that the events added next come from a source whose
// event ids are all derived from identity (importers hash it into every
// id). It reports whether no source of that identity was ever indexed: then
// none of its ids can be in the index, and its events skip the existence
// lookup, which reads every segment's id dictionary for every batch (at 1M
// events, 10% of import CPU). Ids repeated inside the source are still
// caught. EndSource ends it.
func (w *Writer) BeginSource(identity string) bool {
	w.srcFresh = false
	seen := w.idents[identity]
	w.idents[identity] = true
	if !w.tracked || seen {
		return false
	}
	if v, err := w.s.idx.GetInternal([]byte(keyIdentPrefix + identity)); err != nil || len(v) > 0 {
		return false
	}
	// Committed with the batch holding the events added before it, so never
	// after the source's first event.
	w.Mark(keyIdentPrefix+identity, []byte("1"))
	w.srcFresh = true
	return true
}

// EndSource ends BeginSource: events added next are looked up again.
func (w *Writer) EndSource() { w.srcFresh = false }

// Mark stores key=val in the index together with the batch that holds
// every event added before it: once the value is visible, those events are
// committed. Import checkpoints use it.
func (w *Writer) Mark(key string, val []byte) {
	w.marks = append(w.marks, mark{key, val})
}

// Flush commits what is pending and waits for it; the Writer stays usable.
func (w *Writer) Flush() error {
	sync := make(chan struct{})
	w.send(sync)
	<-sync
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
		w.send(nil)
	}
	close(w.prepq)
	<-w.done
	return w.stats, w.firstErr()
}

// prepare drops ids already indexed (or repeated inside the batch or in a
// batch still on its way), encodes the survivors into event log frames and
// builds their analysed Bleve documents.
func (w *Writer) prepare(job batchJob) (prepared, error) {
	s := w.s
	var p prepared
	if len(job.evs) == 0 && len(job.marks) == 0 {
		return p, nil
	}
	fresh := make([]*schema.Event, 0, len(job.evs))
	for i, ev := range job.evs {
		// A source never indexed has none of its ids in the index (only
		// its own repeats, which the writer's keys catch); any other loads
		// the keys of every committed event once.
		if !job.fresh[i] && !w.ids.loaded {
			if err := s.log.loadIDs(w.ids); err != nil {
				return p, err
			}
		}
		k := idKey(ev.ID)
		if w.ids.has(k) {
			p.present++
			continue
		}
		w.ids.add(k)
		fresh = append(fresh, ev)
	}
	if len(fresh) == 0 && len(job.marks) == 0 {
		return p, nil
	}
	b := s.idx.NewBatch()
	if len(fresh) > 0 {
		enc, seqs, err := encodeBatch(fresh, w.nextFrame, w.evEnd, w.msgEnd)
		if err != nil {
			return p, fmt.Errorf("index: compress events: %w", err)
		}
		changed := false
		for i, ev := range fresh {
			if w.touched.add(ev) {
				changed = true
			}
			d := s.build.event(withRaw(ev), seqs[i])
			preAnalyze(d)
			if err := b.IndexAdvanced(d); err != nil {
				return p, fmt.Errorf("index: event %s: %w", ev.ID, err)
			}
		}
		p.log = enc
		w.nextFrame += len(enc.recs)
		w.evEnd += int64(len(enc.ev))
		w.msgEnd += int64(len(enc.msg))
		b.SetInternal([]byte(keyFrames), []byte(strconv.Itoa(w.nextFrame)))
		if changed {
			b.SetInternal([]byte(keyTouched), w.touched.t.encode())
		}
	}
	for _, m := range job.marks {
		b.SetInternal([]byte(m.key), m.val)
	}
	p.batch = b
	p.added = len(fresh)
	return p, nil
}

// commit appends the batch's frames to the event log, then commits the
// Bleve batch together with the log's new frame count.
func (w *Writer) commit(p prepared) error {
	w.stats.Present += p.present
	if p.batch == nil {
		return nil
	}
	s := w.s
	if err := s.Failed(); err != nil {
		return err
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if err := s.log.appendBatch(p.log); err != nil {
		return s.fail("appending the event log", err)
	}
	if err := s.idx.Batch(p.batch); err != nil {
		// The log tail past the committed frames is cut on next open.
		return s.fail("writing the index", fmt.Errorf("index: commit batch: %w", err))
	}
	// A batch of marks only (checkpoints, source identities) carries no
	// frames: the frame count stays.
	s.log.committed(p.log)
	w.stats.Added += p.added
	return nil
}

// preAnalyze runs the analysers in the prepare stage and hands Bleve fields
// whose Analyze is then a no-op: Bleve's own analysis runs inside Batch,
// on the commit stage's critical path.
func preAnalyze(d *document.Document) {
	for i, f := range d.Fields {
		if tf, ok := f.(*document.TextField); ok && tf.Options().IsIndexed() {
			tf.Analyze()
			d.Fields[i] = analyzedField{tf}
		}
	}
}

type analyzedField struct{ *document.TextField }

func (analyzedField) Analyze() {}
