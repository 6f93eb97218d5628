package auditd

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// BenchmarkImport: a generated 100k-record audit.log (ssh execs of 4 records
// interleaved in pairs, plus sshd USER_AUTH records).
func BenchmarkImport(b *testing.B) {
	data := genLog(100_000, true)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		src, err := importers.FromReader("bench-host.log", bytes.NewReader(data), time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		var st importers.Stats
		if err := (Importer{}).Import(context.Background(), src, importers.Options{}, &st, func(*schema.Event) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
