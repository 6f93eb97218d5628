package sessions

import (
	"bufio"
	"fmt"
	"os"
)

// spill holds, in a temporary file beside the index, each session as the
// builder made it (before link changed it) and its event ids. Held in
// memory for every session of the case they were most of the rebuild's heap
// (2.5 GB at 10M lines); the link decides over compact records (clink.go)
// and the write reads the sessions back one batch at a time.
type spill struct {
	f    *os.File
	name string // still to remove when the file could not be unlinked open
	w    *bufio.Writer
	off  int64
	err  error
}

type spillRef struct {
	off int64
	n   int32
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, ".sessions-spill-*")
	if err != nil {
		return nil, fmt.Errorf("sessions: spill file: %w", err)
	}
	p := &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	// Unlinked while open (where the system allows it): a killed rebuild
	// leaves nothing behind in the index.
	if err := os.Remove(f.Name()); err != nil {
		p.name = f.Name()
	}
	return p, nil
}

func (p *spill) write(b []byte) spillRef {
	if len(b) == 0 || p.err != nil {
		return spillRef{}
	}
	r := spillRef{off: p.off, n: int32(len(b))}
	_, p.err = p.w.Write(b)
	p.off += int64(len(b))
	return r
}

// sealed ends the writing; reads may follow.
func (p *spill) sealed() error {
	if p.err == nil {
		p.err = p.w.Flush()
	}
	if p.err != nil {
		return fmt.Errorf("sessions: spill file: %w", p.err)
	}
	return nil
}

func (p *spill) read(r spillRef) ([]byte, error) {
	if r.n == 0 {
		return nil, nil
	}
	b := make([]byte, r.n)
	if _, err := p.f.ReadAt(b, r.off); err != nil {
		return nil, fmt.Errorf("sessions: spill file: %w", err)
	}
	return b, nil
}

// withBlock adds the base's place in the session's event list to its state
// (a JSON object), as sess.EvOff / EvN.
func withBlock(js []byte, off, n int) []byte {
	if len(js) < 2 || js[len(js)-1] != '}' || n == 0 {
		return js
	}
	out := append(js[:len(js)-1:len(js)-1], fmt.Sprintf(`,"eo":%d,"en":%d}`, off, n)...)
	return out
}

func (p *spill) close() {
	p.f.Close()
	if p.name != "" {
		os.Remove(p.name)
	}
}
