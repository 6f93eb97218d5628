package importers

// Decompression bombs: the ratio and absolute caps, and the reader that
// enforces them.

import (
	"errors"
	"fmt"
	"io"
)

// MaxRatio is the decompression ratio past which a compressed file is treated
// as a bomb. Real logs compress 10–30:1; MaxRatioFloor keeps tiny files of
// repeated text from tripping it.
const (
	MaxRatio      = 1000
	MaxRatioFloor = 64 << 20
)

// DefaultMaxExpanded caps the decompressed size of one file. The ratio check
// alone let a 5.9 MB .gz of one repeated line (298:1) run for minutes into
// hundreds of MB of index; no real single rotated log comes near 20 GiB.
const DefaultMaxExpanded int64 = 20 << 30

// ErrBomb matches (errors.Is) every BombError.
var ErrBomb = errors.New("decompression bomb")

// BombError stops a compressed file that expands too far: past MaxRatio, or
// past the absolute cap. What was read before it is kept.
type BombError struct {
	Kind  string // gzip, bzip2
	Limit int64  // the absolute cap that was hit; 0 for the ratio check
}

func (e *BombError) Error() string {
	if e.Limit == 0 {
		return fmt.Sprintf("decompression ratio over %d:1 (%s bomb?)", MaxRatio, e.Kind)
	}
	return fmt.Sprintf("expanded past %s (%s bomb?)", FormatSize(e.Limit), e.Kind)
}

// Is makes errors.Is(err, ErrBomb) true.
func (e *BombError) Is(target error) bool { return target == ErrBomb }

// FormatSize writes n bytes in binary units ("20 GiB", "1.5 MiB").
func FormatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[i])
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

type bombGuard struct {
	r    io.Reader
	raw  *countingReader
	kind string
	max  int64
	n    int64
}

func (b *bombGuard) Read(p []byte) (int, error) {
	if b.n >= b.max {
		return 0, &BombError{Kind: b.kind, Limit: b.max}
	}
	if left := b.max - b.n; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > MaxRatioFloor && b.n > MaxRatio*b.raw.n {
		return n, &BombError{Kind: b.kind}
	}
	if err == nil && b.n >= b.max {
		// Past the cap only if there is more: probe one byte.
		var one [1]byte
		m, perr := b.r.Read(one[:])
		if m > 0 || perr == nil {
			return n, &BombError{Kind: b.kind, Limit: b.max}
		}
		err = perr
	}
	return n, err
}

// holdReader hands out a plain file up to its last newline. The bytes after
// it are a line the writer has not finished: at EOF they are dropped and
// counted in held, so they are neither stored cut nor skipped later as
// "already read" (the resume point counts what was handed out). Bytes after
// the last newline that exceed MaxLine belong to a line LineReader cuts
// anyway, whose kept part no longer changes: they pass.
