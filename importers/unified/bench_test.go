package unified

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// BenchmarkNDJSON100k measures events/s over 100k generated sshd records
// shaped like `log show --style ndjson` output (all 23 keys macOS writes).
func BenchmarkNDJSON100k(b *testing.B) {
	const n = 100_000
	msgs := []string{
		"Failed password for root from 203.0.113.%d port %d ssh2",
		"Accepted publickey for alice from 198.51.100.%d port %d ssh2: ED25519 SHA256:Ykq3kH0tBq6cJd1x6l8Qm1m3cTt2yqf0X9s3e0m1bQk",
		"Invalid user oracle from 203.0.113.%d port %d",
		"Connection closed by 203.0.113.%d port %d [preauth]",
	}
	var buf bytes.Buffer
	t0 := time.Date(2026, 3, 14, 3, 40, 12, 0, time.UTC)
	for i := range n {
		ts := t0.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02 15:04:05.000000-0700")
		msg := fmt.Sprintf(msgs[i%len(msgs)], i%250, 1024+i%60000)
		fmt.Fprintf(&buf, `{"timezoneName":"","messageType":"Default","eventType":"logEvent","source":null,"formatString":"%%{public}s","userID":0,"activityIdentifier":0,"subsystem":"","category":"","threadID":%d,"senderImageUUID":"1B6F3A9D-4E2C-3A87-9D51-7F0C2E8B6A34","backtrace":{"frames":[{"imageOffset":24812,"imageUUID":"1B6F3A9D-4E2C-3A87-9D51-7F0C2E8B6A34"}]},"bootUUID":"7A3E9C51-2B4D-4F8A-9E61-0C5D8B2F4A13","processImagePath":"\/usr\/libexec\/sshd-session","senderImagePath":"\/usr\/lib\/system\/libsystem_c.dylib","timestamp":"%s","machTimestamp":%d,"eventMessage":"%s","processImageUUID":"8E4B2D19-6A3C-3F75-B0D8-1C9E7A5F3B26","traceID":0,"processID":%d,"senderProgramCounter":24812,"parentActivityIdentifier":0}`+"\n",
			6000+i%300, ts, 163259674292+i*1000, msg, 1000+i%500)
	}
	fmt.Fprintf(&buf, `{"count":%d,"finished":1}`+"\n", n)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	events := 0
	for b.Loop() {
		src, err := importers.FromReader("bench-sshd.ndjson", bytes.NewReader(data), time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		err = Importer{}.Import(context.Background(), src, importers.Options{}, &importers.Stats{}, func(*schema.Event) error {
			events++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if events != n*b.N {
		b.Fatalf("%d events, want %d", events, n*b.N)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
