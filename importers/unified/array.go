package unified

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// array streams `log show --style json`: one JSON array, read element by
// element with a token decoder, never whole. A cut or broken array keeps the
// elements before the break and counts the break as malformed (a JSON
// decoder cannot resynchronise after it).
func (r *run) array(ctx context.Context) error {
	base, err := r.skipBanner()
	if err != nil {
		return nil
	}
	lim := &budget{r: r.src.R}
	dec := json.NewDecoder(lim)
	var n int64 // elements read, the "line" of each
	for {
		lim.reset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if d, ok := tok.(json.Delim); err != nil || !ok || d != '[' {
			r.stats.AddMalformed(r.src.Path, n+1, "not a JSON array")
			return nil
		}
		for dec.More() {
			if n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			lim.reset()
			off := base + dec.InputOffset()
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				if ctx.Err() != nil {
					return ctx.Err() // interrupted, not a bad record
				}
				r.stats.AddMalformed(r.src.Path, n+1, fmt.Sprintf("record %d: %v", n+1, err))
				return nil
			}
			n++
			if err := r.element(raw, n, off); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			r.stats.AddMalformed(r.src.Path, n+1, "array cut before its end")
			return nil
		}
	}
}

func (r *run) element(raw json.RawMessage, n, off int64) error {
	e, err := parseJSONRecord(raw)
	switch {
	case errors.Is(err, errNotLog), errors.Is(err, errTrailer):
		r.stats.AddIgnored(r.src.Path, n)
		return nil
	case err != nil:
		r.stats.AddMalformed(r.src.Path, n, err.Error())
		return nil
	}
	return r.emit(e, n, schema.EventID(r.src.Identity, off, string(raw)))
}

// skipBanner consumes the banner lines `log show` may print before the
// array ("Filtering the log data using ...": Import saw only banner lines
// there) and returns how many bytes they took.
func (r *run) skipBanner() (int64, error) {
	var off int64
	for {
		c, err := r.src.R.Peek(1)
		if err != nil {
			return off, err
		}
		switch c[0] {
		case '[':
			return off, nil
		case ' ', '\t', '\r', '\n':
			r.src.R.ReadByte()
			off++
			continue
		}
		n, err := skipLine(r.src.R)
		off += n
		if err != nil {
			return off, err
		}
	}
}

// skipLine consumes one line of any length and returns its size.
func skipLine(br *bufio.Reader) (int64, error) {
	var n int64
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if err != bufio.ErrBufferFull {
			return n, err
		}
	}
}

// budget bounds what the JSON decoder may buffer for one element, so a
// hostile endless element cannot exhaust memory. Reads are capped so the
// decoder's read-ahead stays small.
type budget struct {
	r    io.Reader
	left int
}

var errTooBig = errors.New("JSON element over 1 MiB")

func (b *budget) reset() { b.left = importers.MaxLine + 128<<10 }

func (b *budget) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errTooBig
	}
	p = p[:min(len(p), b.left, 64<<10)]
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}
