package index

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// idSet is the set of event id keys (idKey) a writer checks new events
// against: sorted runs of 8-byte keys, merged as they grow (a small
// log-structured merge), so it costs 8 bytes per event where a Go map
// cost about 40 and the lookup that replaced Bleve's (every segment's id
// dictionary read per batch) is a few binary searches.
type idSet struct {
	runs   [][]uint64          // sorted; sizes shrink from first to last
	tail   map[uint64]struct{} // the newest keys, at most idTailMax
	loaded bool                // holds the keys committed before the writer began
}

const idTailMax = 4096

func (s *idSet) has(k uint64) bool {
	for _, r := range s.runs {
		if _, ok := slices.BinarySearch(r, k); ok {
			return true
		}
	}
	_, ok := s.tail[k]
	return ok
}

func (s *idSet) add(k uint64) {
	if s.tail == nil {
		s.tail = make(map[uint64]struct{}, idTailMax)
	}
	s.tail[k] = struct{}{}
	if len(s.tail) < idTailMax {
		return
	}
	run := make([]uint64, 0, len(s.tail))
	for k := range s.tail {
		run = append(run, k)
	}
	slices.Sort(run)
	clear(s.tail)
	s.runs = append(s.runs, run)
	for n := len(s.runs); n > 1 && len(s.runs[n-1]) >= len(s.runs[n-2])/2; n = len(s.runs) {
		s.runs = append(s.runs[:n-2], mergeSorted(s.runs[n-2], s.runs[n-1]))
	}
}

func mergeSorted(a, b []uint64) []uint64 {
	out := make([]uint64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// eachKey calls fn with the number and id key of every committed event,
// reading the ids file a thousand frames at a time.
func (l *eventLog) eachKey(fn func(seq, key uint64)) error {
	l.mu.RLock()
	recs := l.recs
	l.mu.RUnlock()
	const chunk = 1024 // frames per read
	buf := make([]byte, chunk*frameEvents*idKeySize)
	for f0 := 0; f0 < len(recs); f0 += chunk {
		n := min(chunk, len(recs)-f0)
		b := buf[:n*frameEvents*idKeySize]
		if _, err := l.ids.ReadAt(b, int64(f0)*frameEvents*idKeySize); err != nil {
			return fmt.Errorf("index: read event ids: %w", err)
		}
		for i := 0; i < n; i++ {
			for k := 0; k < int(recs[f0+i].n); k++ {
				fn(uint64(f0+i)*frameEvents+uint64(k), binary.BigEndian.Uint64(b[(i*frameEvents+k)*idKeySize:]))
			}
		}
	}
	return nil
}

// loadIDs reads the keys of every committed event into s.
func (l *eventLog) loadIDs(s *idSet) error {
	var keys []uint64
	if err := l.eachKey(func(_, key uint64) { keys = append(keys, key) }); err != nil {
		return err
	}
	slices.Sort(keys)
	if len(keys) > 0 {
		// First: it is usually the largest run (has works in any order).
		s.runs = append([][]uint64{keys}, s.runs...)
	}
	s.loaded = true
	return nil
}

// seqsOfKeys returns the seqs of committed events whose id key is in want.
func (l *eventLog) seqsOfKeys(want map[uint64]bool) ([]uint64, error) {
	var out []uint64
	err := l.eachKey(func(seq, key uint64) {
		if want[key] {
			out = append(out, seq)
		}
	})
	return out, err
}
