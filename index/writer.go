package index

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"

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
	next     int64             // log offset the next prepared batch starts at
	inflight []map[string]bool // ids of the batches prepared but maybe not committed
	touched  *touchedSet       // hosts and formats with events since the last rebuild
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
	log     []byte       // frames to append at off
	off     int64
	added   int
	present int
	sync    chan struct{}
}

// inflightBatches is how many prepared batches can be uncommitted while the
// next one is prepared: one in the commit queue, one committing, one spare.
const inflightBatches = 3

// NewWriter starts a batched writer.
func (s *Store) NewWriter(batchSize int) *Writer {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	s.logMu.Lock()
	next := s.logLen
	s.logMu.Unlock()
	w := &Writer{
		s: s, batchSize: batchSize,
		prepq:   make(chan batchJob, 1),
		commitq: make(chan prepared, 1),
		done:    make(chan struct{}),
		errc:    make(chan error, 1),
		next:    next,
		idents:  map[string]bool{},
	}
	// Source identities are recorded from an index's first event on; an
	// index older than that never trusts their absence.
	if v, _ := s.idx.GetInternal([]byte(keyIdentsTracked)); len(v) > 0 {
		w.tracked = true
	} else if next == 0 {
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
	ids := make([]string, 0, len(job.evs))
	uniq := make(map[string]bool, len(job.evs))
	for i, ev := range job.evs {
		if _, ok := uniq[ev.ID]; !ok {
			uniq[ev.ID] = false
			if !job.fresh[i] {
				ids = append(ids, ev.ID)
			}
		}
	}
	present, err := s.existing(ids)
	if err != nil {
		return p, err
	}
	jsons := make([][]byte, 0, len(job.evs))
	fresh := make([]*schema.Event, 0, len(job.evs))
	for _, ev := range job.evs {
		if present[ev.ID] || uniq[ev.ID] || w.inFlight(ev.ID) {
			p.present++
			continue
		}
		uniq[ev.ID] = true
		ev = withRaw(ev) // what is stored is what is indexed
		js, err := json.Marshal(ev)
		if err != nil {
			return p, fmt.Errorf("index: encode event %s: %w", ev.ID, err)
		}
		jsons = append(jsons, js)
		fresh = append(fresh, ev)
	}
	if len(fresh) == 0 && len(job.marks) == 0 {
		return p, nil
	}
	b := s.idx.NewBatch()
	if len(fresh) > 0 {
		buf, positions, err := encodeFrames(jsons, w.next)
		if err != nil {
			return p, fmt.Errorf("index: compress events: %w", err)
		}
		batchIDs := make(map[string]bool, len(fresh))
		changed := false
		for i, ev := range fresh {
			if w.touched.add(ev) {
				changed = true
			}
			d := s.build.event(ev, positions[i])
			preAnalyze(d)
			if err := b.IndexAdvanced(d); err != nil {
				return p, fmt.Errorf("index: event %s: %w", ev.ID, err)
			}
			batchIDs[ev.ID] = true
		}
		p.log, p.off = buf, w.next
		w.next += int64(len(buf))
		b.SetInternal([]byte(keyLogLen), []byte(strconv.FormatInt(w.next, 10)))
		if changed {
			b.SetInternal([]byte(keyTouched), w.touched.t.encode())
		}
		w.inflight = append(w.inflight, batchIDs)
		if len(w.inflight) > inflightBatches {
			w.inflight = w.inflight[1:]
		}
	}
	for _, m := range job.marks {
		b.SetInternal([]byte(m.key), m.val)
	}
	p.batch = b
	p.added = len(fresh)
	return p, nil
}

func (w *Writer) inFlight(id string) bool {
	for _, m := range w.inflight {
		if m[id] {
			return true
		}
	}
	return false
}

// commit appends the batch's frames to the event log, then commits the
// Bleve batch together with the log's new length.
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
	if len(p.log) > 0 {
		if p.off != s.logLen {
			return fmt.Errorf("index: event log at %d, batch prepared for %d (another writer?)", s.logLen, p.off)
		}
		if _, err := s.log.WriteAt(p.log, p.off); err != nil {
			return s.fail("appending the event log", fmt.Errorf("index: append event log: %w", err))
		}
	}
	if err := s.idx.Batch(p.batch); err != nil {
		// The log tail past the committed length is cut on next open.
		return s.fail("writing the index", fmt.Errorf("index: commit batch: %w", err))
	}
	// A batch of marks only (checkpoints, source identities) carries no
	// frames and no offset: the log length stays. Setting it from such a
	// batch reset it to 0 and the next writer overwrote the log.
	if len(p.log) > 0 {
		s.logLen = p.off + int64(len(p.log))
	}
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

// existing returns which of ids are already indexed.
func (s *Store) existing(ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	req := newRequest(query.NewDocIDQuery(ids), len(ids), 0)
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
