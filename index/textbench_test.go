package index

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
)

// TestTextPhases times the phases of a free-text count on a real index
// (SSHTRAIL_TEXT_INDEX=dir); it is a measurement aid, skipped otherwise.
func TestTextPhases(t *testing.T) {
	dir := os.Getenv("SSHTRAIL_TEXT_INDEX")
	if dir == "" {
		t.Skip("SSHTRAIL_TEXT_INDEX not set")
	}
	t0 := time.Now()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t1 := time.Now()
	q, _, _ := newTextQuery(mustParse(t, `"Failed password"`))
	set, err := s.log.scanText(context.Background(), q.m, s.log.frames(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t2 := time.Now()
	snap, _ := s.snapshot()
	defer snap.Close()
	if _, err := s.docMapOf(snap); err != nil {
		t.Fatal(err)
	}
	t3 := time.Now()
	n, err := s.Count(context.Background(), Query{Q: `"Failed password"`})
	t4 := time.Now()
	t.Logf("open %v, scan %v (%d), docmap %v, count %v (%d, %v)", t1.Sub(t0), t2.Sub(t1), set.GetCardinality(), t3.Sub(t2), t4.Sub(t3), n, err)
}

func mustParse(t *testing.T, q string) query.Query {
	t.Helper()
	scanText = false
	defer func() { scanText = true }()
	bq, err := ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return bq
}

// BenchmarkTextScan scans a real index's messages for a phrase
// (SSHTRAIL_TEXT_INDEX=dir).
func BenchmarkTextScan(b *testing.B) {
	dir := os.Getenv("SSHTRAIL_TEXT_INDEX")
	if dir == "" {
		b.Skip("SSHTRAIL_TEXT_INDEX not set")
	}
	s, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	scanText = false
	bq, _ := ParseQuery(`"Failed password"`)
	scanText = true
	q, _, _ := newTextQuery(bq)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.log.scanText(context.Background(), q.m, s.log.frames(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
