package gen

import (
	"io"
	"testing"
	"time"
)

func BenchmarkWriteAuthLog(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		if err := WriteAuthLog(io.Discard, n, 1, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkWriteConnTSV(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		if err := WriteConnTSV(io.Discard, n, 1, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkWrite(b *testing.B) {
	const n = 200_000
	for b.Loop() {
		if _, err := Write(b.TempDir(), Options{Events: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
