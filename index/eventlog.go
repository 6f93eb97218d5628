package index

import (
	"bytes"
	"container/list"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"github.com/sshtrail/sshtrail/schema"
)

// The event log (store format 4) is four append-only files written frame
// by frame:
//
//	events.zst    zstd frames, each the JSON lines of up to frameEvents
//	              events, their messages left out
//	messages.zst  zstd frames, each the same events' messages as
//	              uvarint(length) + the original bytes
//	ids           8 bytes per event slot: idKey of its id (de-duplication, Get)
//	frames        frameRecSize bytes per frame: where its two parts are
//
// Frame f holds the events numbered (seq) f*frameEvents onwards; an event's
// seq, in base 36, is its Bleve document id, so a hit finds its frame with
// no stored position. A frame is never appended to, so a batch's last
// frame may hold fewer events and the next batch starts a new frame: seqs
// have gaps, which nothing minds.
//
// Messages have a stream of their own because free text is answered by
// scanning them (textquery.go): scanning a message-only zstd stream costs
// about what the indexed phrase query did and takes 0.085x the raw log,
// where indexing message with positions was half of the Bleve index
// and a third of import CPU (issue 16's measurements).
const (
	frameEvents  = 256
	frameRecSize = 32

	eventsFile   = "events.zst"
	messagesFile = "messages.zst"
	idsFile      = "ids"
	framesFile   = "frames"
	idKeySize    = 12
)

// frameRec locates one frame's parts.
type frameRec struct {
	evOff  int64
	evLen  uint32
	msgOff int64
	msgLen uint32
	n      uint32
}

func (r frameRec) append(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(r.evOff))
	b = binary.LittleEndian.AppendUint32(b, r.evLen)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.msgOff))
	b = binary.LittleEndian.AppendUint32(b, r.msgLen)
	b = binary.LittleEndian.AppendUint32(b, r.n)
	return binary.LittleEndian.AppendUint32(b, 0)
}

func readFrameRec(b []byte) frameRec {
	return frameRec{
		evOff:  int64(binary.LittleEndian.Uint64(b)),
		evLen:  binary.LittleEndian.Uint32(b[8:]),
		msgOff: int64(binary.LittleEndian.Uint64(b[12:])),
		msgLen: binary.LittleEndian.Uint32(b[20:]),
		n:      binary.LittleEndian.Uint32(b[24:]),
	}
}

func (r frameRec) evEnd() int64  { return r.evOff + int64(r.evLen) }
func (r frameRec) msgEnd() int64 { return r.msgOff + int64(r.msgLen) }

// eventLog is the open event log. recs is every committed frame; commit
// appends under mu.
type eventLog struct {
	ev, msg, ids, tbl *os.File
	mu                sync.RWMutex
	recs              []frameRec
}

// Close closes the log's files.
func (l *eventLog) Close() error {
	var errs []error
	for _, f := range []*os.File{l.ev, l.msg, l.ids, l.tbl} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}

// frames is how many frames are committed.
func (l *eventLog) frames() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.recs)
}

func (l *eventLog) rec(f int) (frameRec, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if f < 0 || f >= len(l.recs) {
		return frameRec{}, false
	}
	return l.recs[f], true
}

// ends are where the next frame's parts start.
func (l *eventLog) ends() (ev, msg int64) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.recs) == 0 {
		return 0, 0
	}
	last := l.recs[len(l.recs)-1]
	return last.evEnd(), last.msgEnd()
}

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
)

// idKey is the 8 bytes an event id is known by: the first 8 bytes of a hex
// id (importers' ids are 24 hex digits of a SHA-256), or an FNV-1a hash of
// any other id. Two different ids share a key with probability about
// n²/2⁶⁵ (3·10⁻⁶ at 10M events); Get confirms every match against the
// stored event, de-duplication trusts the key.
func idKey(id string) uint64 {
	var slot [idKeySize]byte
	idSlot(slot[:], id)
	return binary.BigEndian.Uint64(slot[:])
}

// idSlot writes id's slot in the ids file and says whether the slot holds
// the whole id: a 24-hex id is its 12 bytes, and the events file leaves
// it out (random hex was a third of the compressed JSON); any other id is
// its FNV-1a key and stays in the JSON.
func idSlot(slot []byte, id string) bool {
	if len(id) == 2*idKeySize {
		if _, err := hex.Decode(slot, []byte(id)); err == nil && hex.EncodeToString(slot) == id {
			return true
		}
	}
	clear(slot)
	if len(id) >= 16 {
		if _, err := hex.Decode(slot[:8], []byte(id[:16])); err == nil {
			return false
		}
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	binary.BigEndian.PutUint64(slot, h.Sum64())
	return false
}

// DocID is the Bleve document id of the event numbered seq: its digits in
// base 36 after one character giving their count, so that ids sort as the
// numbers do and events of the same time are paged in import (file) order.
func DocID(seq uint64) string {
	d := strconv.FormatUint(seq, 36)
	return strconv.FormatInt(int64(len(d)), 36) + d
}

func seqOf(docID string) (uint64, error) {
	if len(docID) < 2 || strconv.FormatInt(int64(len(docID)-1), 36) != docID[:1] {
		return 0, fmt.Errorf("index: document id %q is not an event number", docID)
	}
	n, err := strconv.ParseUint(docID[1:], 36, 64)
	if err != nil {
		return 0, fmt.Errorf("index: document id %q is not an event number", docID)
	}
	return n, nil
}

// encodedBatch is a batch's frames ready to append.
type encodedBatch struct {
	firstFrame int
	ev, msg    []byte
	ids        []byte
	tbl        []byte
	recs       []frameRec
}

// storedJSON is ev as the events file keeps it: its message lives in the
// message stream, and a hex id in the ids file (whole says so).
func storedJSON(ev *schema.Event, whole bool) ([]byte, error) {
	c := *withRaw(ev)
	c.Message, c.MessageRaw = "", ""
	if whole {
		c.ID = ""
	}
	return json.Marshal(&c)
}

// messageBytes are the original bytes of ev's message.
func messageBytes(ev *schema.Event) []byte {
	if ev.MessageRaw != "" {
		if b, err := base64.StdEncoding.DecodeString(ev.MessageRaw); err == nil {
			return b
		}
	}
	return []byte(ev.Message)
}

// encodeBatch encodes evs into frames numbered from firstFrame, starting
// at the given file ends, and returns each event's seq.
func encodeBatch(evs []*schema.Event, firstFrame int, evEnd, msgEnd int64) (encodedBatch, []uint64, error) {
	out := encodedBatch{firstFrame: firstFrame}
	seqs := make([]uint64, 0, len(evs))
	var js, ms bytes.Buffer
	var hdr [binary.MaxVarintLen64]byte
	for start, f := 0, firstFrame; start < len(evs); start, f = start+frameEvents, f+1 {
		end := min(start+frameEvents, len(evs))
		js.Reset()
		ms.Reset()
		ids := make([]byte, frameEvents*idKeySize)
		for k, ev := range evs[start:end] {
			whole := idSlot(ids[k*idKeySize:(k+1)*idKeySize], ev.ID)
			b, err := storedJSON(ev, whole)
			if err != nil {
				return out, nil, fmt.Errorf("index: encode event %s: %w", ev.ID, err)
			}
			js.Write(b)
			js.WriteByte('\n')
			m := messageBytes(ev)
			ms.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(m)))])
			ms.Write(m)
			seqs = append(seqs, uint64(f)*frameEvents+uint64(k))
		}
		evz := zenc.EncodeAll(js.Bytes(), nil)
		msz := zenc.EncodeAll(ms.Bytes(), nil)
		r := frameRec{evOff: evEnd + int64(len(out.ev)), evLen: uint32(len(evz)),
			msgOff: msgEnd + int64(len(out.msg)), msgLen: uint32(len(msz)), n: uint32(end - start)}
		out.ev = append(out.ev, evz...)
		out.msg = append(out.msg, msz...)
		out.ids = append(out.ids, ids...)
		out.tbl = r.append(out.tbl)
		out.recs = append(out.recs, r)
	}
	return out, seqs, nil
}

// appendBatch writes a batch's frames past the committed ones. Nothing is
// visible until the caller commits the new frame count to Bleve; a crash
// before that leaves a tail that openLog cuts.
func (l *eventLog) appendBatch(b encodedBatch) error {
	if len(b.recs) == 0 {
		return nil
	}
	l.mu.RLock()
	n := len(l.recs)
	l.mu.RUnlock()
	if b.firstFrame != n {
		return fmt.Errorf("index: event log has %d frames, batch prepared for frame %d (another writer?)", n, b.firstFrame)
	}
	r0 := b.recs[0]
	for _, w := range []struct {
		f   *os.File
		b   []byte
		off int64
	}{
		{l.ev, b.ev, r0.evOff},
		{l.msg, b.msg, r0.msgOff},
		{l.ids, b.ids, int64(b.firstFrame) * frameEvents * idKeySize},
		{l.tbl, b.tbl, int64(b.firstFrame) * frameRecSize},
	} {
		if _, err := w.f.WriteAt(w.b, w.off); err != nil {
			return fmt.Errorf("index: append %s: %w", filepath.Base(w.f.Name()), err)
		}
	}
	return nil
}

// committed makes a batch's frames readable once Bleve holds them.
func (l *eventLog) committed(b encodedBatch) {
	l.mu.Lock()
	l.recs = append(l.recs, b.recs...)
	l.mu.Unlock()
}

// frame is one decoded frame.
type frame struct {
	lines [][]byte // stored JSON
	msgs  [][]byte
	ids   []byte // the frame's id slots
}

func (l *eventLog) decodeMessages(r frameRec) ([][]byte, error) {
	buf := make([]byte, r.msgLen)
	if _, err := l.msg.ReadAt(buf, r.msgOff); err != nil {
		return nil, fmt.Errorf("index: read message frame at %d: %w", r.msgOff, err)
	}
	return splitMessages(buf, int(r.n))
}

func splitMessages(z []byte, n int) ([][]byte, error) {
	raw, err := zdec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("index: message frame: %w", err)
	}
	out := make([][]byte, 0, n)
	for len(raw) > 0 {
		m, k := binary.Uvarint(raw)
		if k <= 0 || uint64(len(raw)-k) < m {
			return nil, fmt.Errorf("index: message frame: truncated")
		}
		out = append(out, raw[k:k+int(m):k+int(m)])
		raw = raw[k+int(m):]
	}
	if len(out) != n {
		return nil, fmt.Errorf("index: message frame holds %d messages, %d expected", len(out), n)
	}
	return out, nil
}

func (l *eventLog) decode(f int, r frameRec) (*frame, error) {
	buf := make([]byte, r.evLen)
	if _, err := l.ev.ReadAt(buf, r.evOff); err != nil {
		return nil, fmt.Errorf("index: read event frame at %d: %w", r.evOff, err)
	}
	raw, err := zdec.DecodeAll(buf, nil)
	if err != nil {
		return nil, fmt.Errorf("index: event frame at %d: %w", r.evOff, err)
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte{'\n'}), []byte{'\n'})
	if len(lines) != int(r.n) {
		return nil, fmt.Errorf("index: event frame at %d holds %d events, %d expected", r.evOff, len(lines), r.n)
	}
	msgs, err := l.decodeMessages(r)
	if err != nil {
		return nil, err
	}
	ids := make([]byte, int(r.n)*idKeySize)
	if _, err := l.ids.ReadAt(ids, int64(f)*frameEvents*idKeySize); err != nil {
		return nil, fmt.Errorf("index: read ids of frame %d: %w", f, err)
	}
	return &frame{lines: lines, msgs: msgs, ids: ids}, nil
}

// event decodes the k-th event of fr.
func (fr *frame) event(k int) (*schema.Event, error) {
	ev := new(schema.Event)
	if err := json.Unmarshal(fr.lines[k], ev); err != nil {
		return nil, fmt.Errorf("index: decode event: %w", err)
	}
	setMessage(ev, fr.msgs[k])
	if ev.ID == "" {
		ev.ID = hex.EncodeToString(fr.ids[k*idKeySize : (k+1)*idKeySize])
	}
	return ev, nil
}

// setMessage gives ev its original message bytes, and message_raw when
// they are not UTF-8 (JSON readers cannot get them from message).
func setMessage(ev *schema.Event, m []byte) {
	ev.Message = string(m)
	ev.MessageRaw = ""
	if !utf8.Valid(m) {
		ev.MessageRaw = base64.StdEncoding.EncodeToString(m)
	}
}

// frameCache keeps recently read frames: a page of hits is usually a few
// neighbouring frames.
type frameCache struct {
	mu    sync.Mutex
	ll    *list.List
	items map[int]*list.Element
}

type cachedFrame struct {
	f  int
	fr *frame
}

const frameCacheSize = 64

func (c *frameCache) get(f int) (*frame, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		return nil, false
	}
	if e, ok := c.items[f]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cachedFrame).fr, true
	}
	return nil, false
}

func (c *frameCache) put(f int, fr *frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[int]*list.Element{}
		c.ll = list.New()
	}
	if _, ok := c.items[f]; ok {
		return
	}
	c.items[f] = c.ll.PushFront(&cachedFrame{f, fr})
	if c.ll.Len() > frameCacheSize {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cachedFrame).f)
	}
}

// readSeq reads the event numbered seq.
func (s *Store) readSeq(seq uint64) (*schema.Event, error) {
	f, k := int(seq/frameEvents), int(seq%frameEvents)
	fr, ok := s.frames.get(f)
	if !ok {
		r, ok := s.log.rec(f)
		if !ok {
			return nil, fmt.Errorf("index: event %d is past the event log (%d frames)", seq, s.log.frames())
		}
		var err error
		if fr, err = s.log.decode(f, r); err != nil {
			return nil, err
		}
		s.frames.put(f, fr)
	}
	if k >= len(fr.lines) {
		return nil, fmt.Errorf("index: event %d missing from its frame", seq)
	}
	return fr.event(k)
}

// Scan calls fn for every event in import order, reading the event log
// sequentially. Decompression and JSON decoding are most of a scan's cost,
// so frames are decoded on every core while fn still sees events in order.
// It stops at the first error fn returns.
func (s *Store) Scan(ctx context.Context, fn func(*schema.Event) error) error {
	return s.scanFrames(ctx, s.log.frames(), func(fr *frame) error {
		for k := range fr.lines {
			ev, err := fr.event(k)
			if err != nil {
				return err
			}
			if err := fn(ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanFrames decodes frames [0, n) on every core and hands them to fn in
// order.
func (s *Store) scanFrames(ctx context.Context, n int, fn func(*frame) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type chunk struct {
		from, to int
		frs      []*frame
		err      error
		done     chan struct{}
	}
	const per = 4 // frames per chunk
	workers := runtime.GOMAXPROCS(0)
	order := make(chan *chunk, workers*2)
	work := make(chan *chunk, workers*2)
	go func() {
		defer close(order)
		defer close(work)
		for from := 0; from < n; from += per {
			c := &chunk{from: from, to: min(from+per, n), done: make(chan struct{})}
			select {
			case order <- c:
			case <-ctx.Done():
				return
			}
			select {
			case work <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := 0; i < workers; i++ {
		go func() {
			for c := range work {
				for f := c.from; f < c.to; f++ {
					r, _ := s.log.rec(f)
					fr, err := s.log.decode(f, r)
					if err != nil {
						c.err = fmt.Errorf("index: event log: %w", err)
						break
					}
					c.frs = append(c.frs, fr)
				}
				close(c.done)
			}
		}()
	}
	for c := range order {
		// A chunk can be ordered and then never handed to a worker when the
		// context ends between the two sends: waiting on it alone hung the
		// TUI's quit (a rebuild's scan, cancelled).
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if c.err != nil {
			return c.err
		}
		for _, fr := range c.frs {
			if err := fn(fr); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// withRaw returns ev ready to store: itself, or a copy whose user and
// ts_raw show bytes that are not UTF-8 escaped (jos\xe9): JSON would put
// U+FFFD in their place, and a Latin-1 user name would lose what it was.
// The message keeps its bytes in the message stream; the short fields keep
// them as escapes, the same in the index and in the JSON.
func withRaw(ev *schema.Event) *schema.Event {
	if utf8.ValidString(ev.User) && utf8.ValidString(ev.TSRaw) {
		return ev
	}
	c := *ev
	c.User, c.TSRaw = escapeInvalid(c.User), escapeInvalid(c.TSRaw)
	return &c
}

// escapeInvalid writes the bytes of s that are not UTF-8 as \xNN.
func escapeInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// keyFrames is the Bleve internal key holding the committed frame count:
// it commits with the batch that indexed those frames' events.
const keyFrames = "frames"

// ErrOldFormat is returned for an index an older sshtrail wrote.
var ErrOldFormat = errors.New("re-import: this index was made by an older sshtrail")

// openLog opens the event log and cuts what was appended but never
// committed (a crash between the append and the Bleve commit), so a kill
// at any point leaves a consistent store and a re-import adds exactly
// what is missing. A read-only store cuts nothing: it reads the
// committed frames only.
func (s *Store) openLog() error {
	v, err := s.idx.GetInternal([]byte(keyVersion))
	if err != nil {
		return fmt.Errorf("index %s: read format: %w (not opened, nothing changed)", s.dir, err)
	}
	if string(v) != storeFormat {
		return fmt.Errorf("index %s (format %q, this sshtrail reads %s): %w", s.dir, v, storeFormat, ErrOldFormat)
	}
	// The committed count decides what of the log is cut: a count that
	// cannot be read must stop the open, never be taken as 0 (that
	// truncated a whole case's events).
	committed := 0
	if v, err = s.idx.GetInternal([]byte(keyFrames)); err != nil {
		return fmt.Errorf("index %s: read committed frame count: %w (not opened, nothing changed)", s.dir, err)
	}
	if len(v) > 0 {
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 0 {
			return fmt.Errorf("index %s: committed frame count %q is garbled (not opened, nothing changed)", s.dir, v)
		}
		committed = n
	}
	l := &eventLog{}
	flag := os.O_RDWR | os.O_CREATE
	if s.readOnly {
		flag = os.O_RDONLY
	}
	for _, f := range []struct {
		fp   **os.File
		name string
	}{{&l.ev, eventsFile}, {&l.msg, messagesFile}, {&l.ids, idsFile}, {&l.tbl, framesFile}} {
		fh, err := os.OpenFile(filepath.Join(s.dir, f.name), flag, 0o600)
		if err != nil {
			l.Close()
			return fmt.Errorf("index %s: %w", s.dir, err)
		}
		*f.fp = fh
	}
	tbl := make([]byte, committed*frameRecSize)
	if _, err := l.tbl.ReadAt(tbl, 0); err != nil && committed > 0 {
		l.Close()
		return fmt.Errorf("index %s: frame table holds fewer than the %d frames committed: it was cut or replaced (not opened, nothing changed)", s.dir, committed)
	}
	l.recs = make([]frameRec, committed)
	for i := range l.recs {
		l.recs[i] = readFrameRec(tbl[i*frameRecSize:])
	}
	evEnd, msgEnd := l.ends()
	want := []int64{evEnd, msgEnd, int64(committed) * frameEvents * idKeySize, int64(committed) * frameRecSize}
	for i, fh := range []*os.File{l.ev, l.msg, l.ids, l.tbl} {
		st, err := fh.Stat()
		if err != nil {
			l.Close()
			return err
		}
		if st.Size() < want[i] {
			l.Close()
			return fmt.Errorf("index %s: %s is %d bytes but %d were committed: it was cut or replaced (not opened, nothing changed)", s.dir, filepath.Base(fh.Name()), st.Size(), want[i])
		}
		if st.Size() > want[i] && !s.readOnly {
			if err := fh.Truncate(want[i]); err != nil {
				l.Close()
				return fmt.Errorf("index %s: repair %s: %w", s.dir, filepath.Base(fh.Name()), err)
			}
		}
	}
	s.log = l
	return nil
}

// LogEnd is how many bytes of the events file the committed frames hold:
// what a reopen keeps of it.
func (s *Store) LogEnd() int64 {
	ev, _ := s.log.ends()
	return ev
}
