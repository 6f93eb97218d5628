package index

import (
	"bufio"
	"bytes"
	"compress/flate"
	"container/list"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sshtrail/sshtrail/schema"
)

// The event log is a sequence of frames: uvarint(length) then a
// flate-compressed run of up to frameEvents JSON lines. Compression took the
// log from ~2.9x to ~0.4x the raw log size (JSON names repeat on every
// line); small frames keep a random read (one search hit) to decompressing
// a few KiB. An event's position is "frame offset:frame length:index".
const frameEvents = 64

// encodeFrames compresses events' JSON into frames starting at base and
// returns the bytes and each event's position.
func encodeFrames(jsons [][]byte, base int64) ([]byte, [][]byte, error) {
	var out bytes.Buffer
	var frame bytes.Buffer
	positions := make([][]byte, 0, len(jsons))
	zw, _ := flate.NewWriter(&frame, flate.BestSpeed)
	var hdr [binary.MaxVarintLen64]byte
	for start := 0; start < len(jsons); start += frameEvents {
		end := min(start+frameEvents, len(jsons))
		frame.Reset()
		zw.Reset(&frame)
		for _, js := range jsons[start:end] {
			zw.Write(js)
			zw.Write([]byte{'\n'})
		}
		if err := zw.Close(); err != nil {
			return nil, nil, err
		}
		n := binary.PutUvarint(hdr[:], uint64(frame.Len()))
		out.Write(hdr[:n])
		off := base + int64(out.Len())
		for k := range jsons[start:end] {
			positions = append(positions, []byte(strconv.FormatInt(off, 10)+":"+strconv.Itoa(frame.Len())+":"+strconv.Itoa(k)))
		}
		out.Write(frame.Bytes())
	}
	return out.Bytes(), positions, nil
}

func inflate(data []byte) ([][]byte, error) {
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(data)))
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte{'\n'}), []byte{'\n'})
	return lines, nil
}

// frameCache keeps recently read frames: a page of hits is usually a few
// neighbouring frames.
type frameCache struct {
	mu    sync.Mutex
	ll    *list.List
	items map[int64]*list.Element
}

type cachedFrame struct {
	off   int64
	lines [][]byte
}

const frameCacheSize = 256

func (c *frameCache) get(off int64) ([][]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		return nil, false
	}
	if e, ok := c.items[off]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*cachedFrame).lines, true
	}
	return nil, false
}

func (c *frameCache) put(off int64, lines [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[int64]*list.Element{}
		c.ll = list.New()
	}
	c.items[off] = c.ll.PushFront(&cachedFrame{off, lines})
	if c.ll.Len() > frameCacheSize {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cachedFrame).off)
	}
}

// parsePos reads "off:len:k".
func parsePos(pos string) (off int64, n int, k int, err error) {
	parts := strings.Split(pos, ":")
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("index: bad event position %q", pos)
	}
	off, err1 := strconv.ParseInt(parts[0], 10, 64)
	n, err2 := strconv.Atoi(parts[1])
	k, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || n <= 0 || k < 0 {
		return 0, 0, 0, fmt.Errorf("index: bad event position %q", pos)
	}
	return off, n, k, nil
}

// readEvent reads the event stored at pos in the log.
func (s *Store) readEvent(pos string) (*schema.Event, error) {
	off, n, k, err := parsePos(pos)
	if err != nil {
		return nil, err
	}
	lines, ok := s.frames.get(off)
	if !ok {
		buf := make([]byte, n)
		if _, err := s.log.ReadAt(buf, off); err != nil {
			return nil, fmt.Errorf("index: read event frame at %d: %w", off, err)
		}
		if lines, err = inflate(buf); err != nil {
			return nil, fmt.Errorf("index: event frame at %d: %w", off, err)
		}
		s.frames.put(off, lines)
	}
	if k >= len(lines) {
		return nil, fmt.Errorf("index: event %d missing from frame at %d", k, off)
	}
	ev := new(schema.Event)
	if err := json.Unmarshal(lines[k], ev); err != nil {
		return nil, fmt.Errorf("index: decode event at %d/%d: %w", off, k, err)
	}
	restoreRaw(ev)
	return ev, nil
}

// Scan calls fn for every event in import order, reading the event log
// sequentially. Decompression and JSON decoding are most of a scan's cost,
// so frames are decoded on every core while fn still sees events in order.
// It stops at the first error fn returns.
func (s *Store) Scan(ctx context.Context, fn func(*schema.Event) error) error {
	s.logMu.Lock()
	end := s.logLen
	s.logMu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type chunk struct {
		frames [][]byte
		evs    []*schema.Event
		err    error
		done   chan struct{}
	}
	workers := runtime.GOMAXPROCS(0)
	order := make(chan *chunk, workers*2)
	work := make(chan *chunk, workers*2)
	var readErr error
	go func() {
		defer close(order)
		defer close(work)
		r := bufio.NewReaderSize(io.NewSectionReader(s.log, 0, end), 1<<20)
		const per = 8 // frames per chunk
		c := &chunk{done: make(chan struct{})}
		send := func() bool {
			select {
			case order <- c:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- c:
			case <-ctx.Done():
				return false
			}
			c = &chunk{done: make(chan struct{})}
			return true
		}
		for {
			n, err := binary.ReadUvarint(r)
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = fmt.Errorf("index: event log: %w", err)
				break
			}
			buf := make([]byte, n)
			if _, err := io.ReadFull(r, buf); err != nil {
				readErr = fmt.Errorf("index: event log: %w", err)
				break
			}
			c.frames = append(c.frames, buf)
			if len(c.frames) == per && !send() {
				return
			}
		}
		if len(c.frames) > 0 {
			send()
		}
	}()
	for i := 0; i < workers; i++ {
		go func() {
			for c := range work {
				for _, f := range c.frames {
					lines, err := inflate(f)
					if err != nil {
						c.err = fmt.Errorf("index: event log: %w", err)
						break
					}
					for _, l := range lines {
						ev := new(schema.Event)
						if err := json.Unmarshal(l, ev); err != nil {
							c.err = fmt.Errorf("index: event log: %w", err)
							break
						}
						restoreRaw(ev)
						c.evs = append(c.evs, ev)
					}
				}
				c.frames = nil
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
		for _, ev := range c.evs {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return readErr
}

// withRaw returns ev ready to store: itself, or a copy that carries the
// raw bytes of a message that is not valid UTF-8 (message_raw) and whose
// user and ts_raw show such bytes escaped (jos\xe9): JSON would put U+FFFD
// in their place, and a Latin-1 user name would lose what it was. The
// message keeps its bytes (restoreRaw); the short fields keep them as
// escapes, the same in the index and in the JSON.
func withRaw(ev *schema.Event) *schema.Event {
	if (ev.MessageRaw != "" || utf8.ValidString(ev.Message)) && utf8.ValidString(ev.User) && utf8.ValidString(ev.TSRaw) {
		return ev
	}
	c := *ev
	if c.MessageRaw == "" && !utf8.ValidString(ev.Message) {
		c.MessageRaw = base64.StdEncoding.EncodeToString([]byte(ev.Message))
	}
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

// restoreRaw puts the original message bytes back after decoding.
func restoreRaw(ev *schema.Event) {
	if ev.MessageRaw == "" {
		return
	}
	if b, err := base64.StdEncoding.DecodeString(ev.MessageRaw); err == nil {
		ev.Message = string(b)
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
