package gen

import (
	"bufio"
	"io"
)

// out is one output file: a buffered writer that counts lines and the
// events the importers will make of them, and stops at a line limit.
type out struct {
	name   string // file name relative to the output folder
	w      *bufio.Writer
	closer io.Closer
	lines  int
	events int
	limit  int  // 0: none
	total  *int // events of every file, when shared
	err    error
	lastUS int64 // time of the last line, for mono
	clock  clock
	buf    []byte
}

func newOut(name string, w io.Writer, limit int) *out {
	o := &out{name: name, w: bufio.NewWriterSize(w, 256<<10), limit: limit, buf: make([]byte, 0, 1024)}
	if c, ok := w.(io.Closer); ok {
		o.closer = c
	}
	return o
}

// mono keeps a file's times in order: a logger stamps lines as they
// arrive, so a line is never older than the one before it.
func (o *out) mono(us int64) int64 {
	if us < o.lastUS {
		return o.lastUS
	}
	o.lastUS = us
	return us
}

// full reports whether the line limit is reached.
func (o *out) full() bool { return o.limit > 0 && o.lines >= o.limit }

// write writes one complete line (b ends with '\n'); event says whether the
// importers turn it into an event.
func (o *out) write(b []byte, event bool) {
	if o.err != nil || o.full() {
		return
	}
	if _, err := o.w.Write(b); err != nil {
		o.err = err
		return
	}
	o.lines++
	if event {
		o.events++
		if o.total != nil {
			*o.total++
		}
	}
}

func (o *out) close() error {
	if err := o.w.Flush(); err != nil && o.err == nil {
		o.err = err
	}
	if o.closer != nil {
		if err := o.closer.Close(); err != nil && o.err == nil {
			o.err = err
		}
	}
	return o.err
}
