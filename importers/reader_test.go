package importers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// Real lines (elastic/beats secure-rhel7.log, Apache-2.0; see
// authlog/testdata/SOURCES.md).
const rhel = "authlog/testdata/elastic-secure-rhel7.head.log"

func readLines(t *testing.T, r *bufio.Reader) []string {
	t.Helper()
	lr := NewLineReader(r)
	var out []string
	for {
		l, err := lr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(l.Bytes))
	}
}

func TestHoldBackUnterminatedLastLine(t *testing.T) {
	data, err := os.ReadFile(rhel)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	cut := len(data) - 20 // inside the last line
	for _, small := range []bool{false, true} {
		var r io.Reader = bytes.NewReader(data[:cut])
		if small {
			r = &oneByte{r} // every read boundary inside a line
		}
		h := &holdReader{r: r}
		got := readLines(t, bufio.NewReader(h))
		if len(got) != len(lines)-1 || got[len(got)-1] != lines[len(lines)-2] {
			t.Fatalf("small reads %v: %d lines, last %q", small, len(got), got[len(got)-1])
		}
		if h.held != int64(len(lines[len(lines)-1])-19) {
			t.Fatalf("held %d", h.held)
		}
	}
	// A terminated file holds nothing back.
	h := &holdReader{r: bytes.NewReader(data)}
	if got := readLines(t, bufio.NewReader(h)); len(got) != len(lines) || h.held != 0 {
		t.Fatalf("%d lines, held %d", len(got), h.held)
	}
}

// A line longer than MaxLine is cut by LineReader anyway: it is not held
// back (its kept part will not change), and memory stays bounded.
func TestHoldPassesOverlongLine(t *testing.T) {
	long := "Mar  1 00:00:00 h sshd[1]: " + strings.Repeat("x", 3*MaxLine)
	h := &holdReader{r: strings.NewReader("first\n" + long)}
	lr := NewLineReader(bufio.NewReader(h))
	a, _ := lr.Next()
	b, err := lr.Next()
	if string(a.Bytes) != "first" || err != nil || !b.Truncated || len(b.Bytes) != MaxLine || h.held != 0 {
		t.Fatalf("%q / %d bytes truncated %v err %v held %d", a.Bytes, len(b.Bytes), b.Truncated, err, h.held)
	}
	if cap(h.buf) > 4*MaxLine {
		t.Fatalf("hold buffer grew to %d", cap(h.buf))
	}
}

type oneByte struct{ r io.Reader }

func (o *oneByte) Read(p []byte) (int, error) { return o.r.Read(p[:1]) }

// A read of a pipe with no writer blocks forever; cancellation ends it.
func TestCancelEndsABlockedRead(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	defer pr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := &ctxReader{ctx: ctx, r: pr, async: true}
	pw.Write([]byte("Mar  1 00:00:00 h sshd[1]: first\n"))
	buf := make([]byte, 100)
	if n, err := c.Read(buf); err != nil || !strings.HasSuffix(string(buf[:n]), "first\n") {
		t.Fatalf("%q %v", buf[:n], err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(buf)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("read still blocked after cancel")
	}
}

// A line cut by cancellation or by the expansion cap is not handed out.
func TestCutLineIsNoLine(t *testing.T) {
	for _, cut := range []error{context.Canceled, &BombError{Kind: "gzip", Limit: 1 << 20}} {
		r := io.MultiReader(strings.NewReader("Mar  1 00:00:00 h sshd[1]: whole\nMar  1 00:00:01 h sshd[1]: ha"), errReader{cut})
		lr := NewLineReader(bufio.NewReader(r))
		a, err := lr.Next()
		if err != nil || !strings.HasSuffix(string(a.Bytes), "whole") {
			t.Fatalf("%q %v", a.Bytes, err)
		}
		if b, err := lr.Next(); !errors.Is(err, cut) || len(b.Bytes) != 0 {
			t.Fatalf("after the cut: %q %v", b.Bytes, err)
		}
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestBombErrorNamesTheFormat(t *testing.T) {
	if s := (&BombError{Kind: "bzip2", Limit: 20 << 30}).Error(); s != "expanded past 20 GiB (bzip2 bomb?)" {
		t.Fatal(s)
	}
	if s := (&BombError{Kind: "gzip"}).Error(); s != "decompression ratio over 1000:1 (gzip bomb?)" {
		t.Fatal(s)
	}
	if !errors.Is(&BombError{Kind: "gzip"}, ErrBomb) {
		t.Fatal("not ErrBomb")
	}
}
