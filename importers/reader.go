package importers

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// HeadSize is how much of the decompressed content is used for sniffing and
// for the file's identity.
const HeadSize = 4096

// MaxLine is the longest line kept whole; longer lines are cut and counted.
const MaxLine = 1 << 20

// MaxRatio is the decompression ratio past which a compressed file is treated
// as a bomb. Real logs compress 10–30:1; MaxRatioFloor keeps tiny files of
// repeated text from tripping it.
const (
	MaxRatio      = 1000
	MaxRatioFloor = 64 << 20
)

// ErrBomb is returned while reading a compressed file that expands past MaxRatio.
var ErrBomb = errors.New("decompression ratio over 1000:1 (gzip bomb?)")

// Source is one opened input: the decompressed stream plus what is known of the file.
type Source struct {
	Path     string    // as given by the user ("-" for stdin)
	Name     string    // base name, for host-from-file-name rules
	ModTime  time.Time // gzip header time if set, else the file's mtime; zero for stdin
	Identity string    // hash of the first HeadSize decompressed bytes: same content, same ids
	Head     []byte    // the first up to HeadSize decompressed bytes
	R        *bufio.Reader
	closer   io.Closer
}

// Close releases the file.
func (s *Source) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// Open opens a plain, gzip or bzip2 file (by magic bytes, not name), or
// stdin for "-".
func Open(path string) (*Source, error) {
	var f *os.File
	src := &Source{Path: path, Name: filepath.Base(path)}
	if path == "-" {
		f = os.Stdin
		src.Name = "stdin"
	} else {
		var err error
		f, err = os.Open(path)
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err == nil {
			if st.IsDir() {
				f.Close()
				return nil, fmt.Errorf("%s: is a directory", path)
			}
			src.ModTime = st.ModTime()
		}
		src.closer = f
	}
	if err := src.wrap(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, nil
}

// FromReader wraps an already-open stream (tests, fuzzing); compression is
// detected the same way as for files.
func FromReader(name string, r io.Reader, mod time.Time) (*Source, error) {
	src := &Source{Path: name, Name: filepath.Base(name), ModTime: mod}
	if err := src.wrap(r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return src, nil
}

func (s *Source) wrap(r io.Reader) error {
	raw := &countingReader{r: r}
	br := bufio.NewReaderSize(raw, 64<<10)
	magic, _ := br.Peek(3)
	var dec io.Reader = br
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
		dec = &bombGuard{r: gz, raw: raw}
	case len(magic) >= 3 && string(magic) == "BZh":
		dec = &bombGuard{r: bzip2.NewReader(br), raw: raw}
	}
	s.R = bufio.NewReaderSize(dec, 256<<10)
	head, err := s.R.Peek(HeadSize)
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

type bombGuard struct {
	r   io.Reader
	raw *countingReader
	n   int64
}

func (b *bombGuard) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > MaxRatioFloor && b.n > MaxRatio*b.raw.n {
		return n, ErrBomb
	}
	return n, err
}

// LineReader reads lines of any length with bounded memory: a line over
// MaxLine is cut to MaxLine bytes and reported as truncated; the rest of it
// is skipped.
type LineReader struct {
	r      *bufio.Reader
	buf    []byte
	lineNo int64
	offset int64 // byte offset of the next line
}

// NewLineReader reads lines from r.
func NewLineReader(r *bufio.Reader) *LineReader { return &LineReader{r: r} }

// Line is one line without its terminator. Bytes is only valid until the next call.
type Line struct {
	Bytes     []byte
	No        int64 // 1-based
	Offset    int64 // byte offset of the line start in the decompressed stream
	Truncated bool
}

// Next returns the next line, or io.EOF. A read error mid-line (truncated
// gzip, bomb) returns the partial line first, then the error on the next call.
func (lr *LineReader) Next() (Line, error) {
	lr.buf = lr.buf[:0]
	start := lr.offset
	truncated := false
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.offset += int64(len(chunk))
		if len(lr.buf)+len(chunk) > MaxLine {
			room := MaxLine - len(lr.buf)
			if room > 0 {
				lr.buf = append(lr.buf, chunk[:room]...)
			}
			truncated = true
		} else {
			lr.buf = append(lr.buf, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && len(lr.buf) == 0 {
			return Line{}, err
		}
		if err != nil && err != io.EOF {
			// Hand back the partial line; the error repeats on the next call.
			lr.lineNo++
			return Line{Bytes: trimEOL(lr.buf), No: lr.lineNo, Offset: start, Truncated: truncated}, nil
		}
		lr.lineNo++
		return Line{Bytes: trimEOL(lr.buf), No: lr.lineNo, Offset: start, Truncated: truncated}, nil
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}
