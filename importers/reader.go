package importers

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// HeadSize is how much of the decompressed content is used for sniffing and
// for the file's identity.
const HeadSize = 4096

// MaxLine is the longest line kept whole; longer lines are cut and counted.
const MaxLine = 1 << 20

// SpecialFileError refuses a path that is not a regular file: reading a FIFO
// blocks until some writer comes (forever, holding the index lock), and a
// device like /dev/zero never ends.
type SpecialFileError struct {
	Path string
	Kind string // fifo, device, socket, irregular
}

func (e *SpecialFileError) Error() string {
	return fmt.Sprintf("%s: is a %s, not a regular file: not read", e.Path, e.Kind)
}

// SpecialKind names a non-regular, non-directory file mode ("fifo",
// "device", "socket", "irregular"); "" for regular files and directories.
func SpecialKind(m fs.FileMode) string {
	switch {
	case m.IsRegular() || m.IsDir():
		return ""
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "device"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "irregular"
}

// Source is one opened input: the decompressed stream plus what is known of the file.
type Source struct {
	Path        string    // as given by the user ("-" for stdin)
	Name        string    // base name, for host-from-file-name rules
	ModTime     time.Time // gzip header time if set, else the file's mtime; zero for stdin
	Identity    string    // hash of the first HeadSize decompressed bytes: same content, same ids
	Head        []byte    // the first up to HeadSize decompressed bytes
	Compression string    // "gzip", "bzip2" or "" for plain
	R           *bufio.Reader
	closer      io.Closer
	hold        *holdReader     // plain files not known complete
	consumed    *countingReader // what R has taken from below
}

// Consumed is how many decompressed bytes R has taken so far: at EOF, the
// offset just past the last line handed out.
func (s *Source) Consumed() int64 {
	if s.consumed == nil {
		return 0
	}
	return s.consumed.n
}

// Close releases the file.
func (s *Source) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// HeldBack is the size of an unterminated final line that was not handed
// to the importer (0 if none), known once R returned io.EOF.
func (s *Source) HeldBack() int64 {
	if s.hold == nil {
		return 0
	}
	return s.hold.held
}

// OpenOptions steer OpenContext.
type OpenOptions struct {
	// Complete says the file is finished: a final line without a newline is
	// read. Otherwise a plain file is taken to be still written to, and its
	// unterminated last line is held back (see Source.HeldBack).
	// Compressed files and stdin are complete at a clean EOF either way.
	Complete bool
	// MaxExpanded caps the decompressed bytes of a compressed file;
	// 0 means DefaultMaxExpanded.
	MaxExpanded int64
}

// Open opens a plain, gzip or bzip2 file (by magic bytes, not name), or
// stdin for "-", as a complete file that no cancellation interrupts.
func Open(path string) (*Source, error) {
	return OpenContext(context.Background(), path, OpenOptions{Complete: true})
}

// OpenContext opens path like Open. Reads fail with ctx.Err() once ctx is
// done, even a read of stdin that is blocked waiting for input. Anything
// but a regular file (or "-") is refused with a *SpecialFileError.
func OpenContext(ctx context.Context, path string, o OpenOptions) (*Source, error) {
	src := &Source{Path: path, Name: filepath.Base(path)}
	var f *os.File
	cr := &ctxReader{ctx: ctx}
	complete := o.Complete
	if path == "-" {
		f = os.Stdin
		src.Name = "stdin"
		// A pipe read cannot be interrupted; a helper goroutine does it.
		cr.async = true
		complete = true
	} else {
		// Stat before open: opening a FIFO blocks until a writer appears.
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, fmt.Errorf("%s: is a directory", path)
		}
		if k := SpecialKind(st.Mode()); k != "" {
			return nil, &SpecialFileError{Path: path, Kind: k}
		}
		// O_NONBLOCK so that a FIFO swapped in after the Stat cannot block
		// the open; it changes nothing for a regular file.
		f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return nil, err
		}
		st, err = f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if k := SpecialKind(st.Mode()); k != "" || st.IsDir() {
			f.Close()
			if k == "" {
				return nil, fmt.Errorf("%s: is a directory", path)
			}
			return nil, &SpecialFileError{Path: path, Kind: k}
		}
		src.ModTime = st.ModTime()
		src.closer = f
	}
	cr.r = f
	if err := src.wrap(cr, complete, o.MaxExpanded); err != nil {
		if f != os.Stdin {
			f.Close()
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, nil
}

// FromReader wraps an already-open stream (tests, fuzzing); compression is
// detected the same way as for files, and the stream is complete.
func FromReader(name string, r io.Reader, mod time.Time) (*Source, error) {
	src := &Source{Path: name, Name: filepath.Base(name), ModTime: mod}
	if err := src.wrap(r, true, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return src, nil
}

func (s *Source) wrap(r io.Reader, complete bool, maxExpanded int64) error {
	if maxExpanded <= 0 {
		maxExpanded = DefaultMaxExpanded
	}
	raw := &countingReader{r: r}
	br := bufio.NewReaderSize(raw, 64<<10)
	magic, _ := br.Peek(3)
	var dec io.Reader
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		gz.Multistream(true)
		if !gz.ModTime.IsZero() && gz.ModTime.Unix() > 0 {
			s.ModTime = gz.ModTime
		}
		s.Compression = "gzip"
		dec = &bombGuard{r: gz, raw: raw, kind: "gzip", max: maxExpanded}
	case len(magic) >= 3 && string(magic) == "BZh":
		s.Compression = "bzip2"
		dec = &bombGuard{r: bzip2.NewReader(br), raw: raw, kind: "bzip2", max: maxExpanded}
	}
	var peek *bufio.Reader
	switch {
	case dec != nil:
		s.consumed = &countingReader{r: dec}
		s.R = bufio.NewReaderSize(s.consumed, 256<<10)
		peek = s.R
	case complete:
		s.consumed = &countingReader{r: br}
		s.R = bufio.NewReaderSize(s.consumed, 256<<10)
		peek = s.R
	default:
		// The head is peeked below the hold, so a file's identity and its
		// sniffing do not change when its last line is held back.
		s.hold = &holdReader{r: br}
		s.consumed = &countingReader{r: s.hold}
		s.R = bufio.NewReaderSize(s.consumed, 256<<10)
		peek = br
	}
	head, err := peek.Peek(HeadSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		// A truncated gzip still yields its good prefix; keep what Peek got.
		if len(head) == 0 {
			return err
		}
	}
	s.Head = append([]byte(nil), head...)
	sum := sha256.Sum256(s.Head)
	s.Identity = hex.EncodeToString(sum[:16])
	return nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ctxReader ends reads with ctx.Err() once ctx is done. A regular file's
// read never blocks for long, so checking before each read is enough; a
// pipe's read may block forever, so with async one read at a time runs in a
// helper goroutine that is abandoned on cancellation.
type ctxReader struct {
	ctx   context.Context
	r     io.Reader
	async bool

	buf      []byte
	pend     []byte
	pendErr  error
	inFlight bool
	res      chan readResult
}

type readResult struct {
	n   int
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if !c.async {
		return c.r.Read(p)
	}
	if len(c.pend) > 0 {
		n := copy(p, c.pend)
		c.pend = c.pend[n:]
		return n, nil
	}
	if c.pendErr != nil {
		return 0, c.pendErr
	}
	if c.res == nil {
		c.res = make(chan readResult, 1)
		c.buf = make([]byte, 64<<10)
	}
	if !c.inFlight {
		c.inFlight = true
		go func() {
			n, err := c.r.Read(c.buf)
			c.res <- readResult{n, err}
		}()
	}
	select {
	case r := <-c.res:
		c.inFlight = false
		n := copy(p, c.buf[:r.n])
		c.pend = c.buf[n:r.n]
		if len(c.pend) > 0 {
			c.pendErr = r.err
			return n, nil
		}
		return n, r.err
	case <-c.ctx.Done():
		// The helper may still write c.buf; nothing reads it again.
		return 0, c.ctx.Err()
	}
}

type holdReader struct {
	r     io.Reader
	buf   []byte // buf[off:ready] may be handed out; buf[ready:] follows the last newline
	off   int
	ready int
	long  bool // the pending bytes continue a line over MaxLine
	err   error
	held  int64
}

func (h *holdReader) Read(p []byte) (int, error) {
	for {
		if h.off < h.ready {
			n := copy(p, h.buf[h.off:h.ready])
			h.off += n
			return n, nil
		}
		if h.err != nil {
			if len(h.buf) > h.ready {
				if h.err == io.EOF && h.long {
					h.ready = len(h.buf)
					continue
				}
				if h.err == io.EOF {
					h.held = int64(len(h.buf) - h.ready)
				}
				// After a read error (cancellation) the tail is not a line either.
				h.buf = h.buf[:h.ready]
			}
			return 0, h.err
		}
		if h.off > 0 {
			n := copy(h.buf, h.buf[h.off:])
			h.buf = h.buf[:n]
			h.ready -= h.off
			h.off = 0
		}
		if cap(h.buf)-len(h.buf) < 32<<10 {
			nb := make([]byte, len(h.buf), 2*cap(h.buf)+64<<10)
			copy(nb, h.buf)
			h.buf = nb
		}
		start := len(h.buf)
		n, err := h.r.Read(h.buf[start:cap(h.buf)])
		h.buf = h.buf[:start+n]
		h.err = err
		if i := bytes.LastIndexByte(h.buf[start:], '\n'); i >= 0 {
			h.ready = start + i + 1
			h.long = false
		} else if h.long {
			h.ready = len(h.buf)
		}
		if len(h.buf)-h.ready > MaxLine {
			h.ready = len(h.buf)
			h.long = true
		}
	}
}
