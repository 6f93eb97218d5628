package sessions

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/sshtrail/sshtrail/index"
)

// spill holds, in a temporary file beside the index, what the rebuild needs
// of each session only when it writes it: its event ids and its builder
// state (the session as built, before link changed it). Held in memory for
// every session of the case they were most of the rebuild's heap (2.5 GB at
// 10M lines); on disk they are read back one write batch at a time.
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

type spillRefs struct {
	events, state spillRef
	ok            bool
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

// put takes s's event ids and state out of memory.
func (p *spill) put(s *sess) {
	ids := s.S.Events
	s.S.Events = nil
	s.EvOff, s.EvN = 0, 0
	var js []byte
	if s.Kind == kindHost {
		// Network-only sessions are rebuilt from the Zeek records every time.
		js, _ = json.Marshal(s)
	}
	s.spilled = spillRefs{events: p.write(index.PackEventIDs(ids)), state: p.write(js), ok: true}
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

// final is what is stored of the final session s: its event ids (its
// bases' in the order link folded them, then the ssh client processes link
// added, which are all s.S.Events holds now) and its builder state (the
// host bases' states, each saying where its events lie in that list).
func (p *spill) final(s *sess) (ids []string, state []byte, err error) {
	var states [][]byte
	for i := -1; i < len(s.merged); i++ {
		b := s
		if i >= 0 {
			b = s.merged[i]
		}
		if !b.spilled.ok {
			return nil, nil, fmt.Errorf("sessions: %s was never spilled", b.S.SID)
		}
		packed, err := p.read(b.spilled.events)
		if err != nil {
			return nil, nil, err
		}
		own, err := index.UnpackEventIDs(packed)
		if err != nil {
			return nil, nil, fmt.Errorf("sessions: spill file: %w", err)
		}
		if b.Kind == kindHost {
			js, err := p.read(b.spilled.state)
			if err != nil {
				return nil, nil, err
			}
			states = append(states, withBlock(js, len(ids), len(own)))
		}
		ids = append(ids, own...)
	}
	ids = append(ids, s.S.Events...)
	return ids, stateOf(states), nil
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
