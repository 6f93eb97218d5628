package index

import (
	"context"
	"os"
	"testing"
)

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
