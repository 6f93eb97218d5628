package importers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
)

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
		if err != nil && err != io.EOF && (errors.Is(err, ErrBomb) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			// A line cut by the expansion cap or by cancellation is no line:
			// it would be stored cut. The error repeats on the next call.
			return Line{}, err
		}
		if err != nil && err != io.EOF {
			// Hand back the partial line (a cut gzip: the reader's last word);
			// the error repeats on the next call.
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
