package journal

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// BenchmarkImport100k measures events/s over 100k generated sshd records
// shaped like `journalctl -o json` output (about 25 fields each).
func BenchmarkImport100k(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	msgs := []string{
		"Failed password for root from 203.0.113.%d port %d ssh2",
		"Accepted publickey for alice from 198.51.100.%d port %d ssh2: ED25519 SHA256:Ykq3kH0tBq6cJd1x6l8Qm1m3cTt2yqf0X9s3e0m1bQk",
		"Invalid user oracle from 203.0.113.%d port %d",
		"Connection closed by 203.0.113.%d port %d [preauth]",
	}
	for i := range n {
		us := int64(1773459612000000) + int64(i)*1000
		fmt.Fprintf(&buf, `{"__CURSOR":"s=a1b2c3d4e5f60718293a4b5c6d7e8f90;i=%x;b=5f2c0e7b9a8d4c3e8f1a2b3c4d5e6f70;m=%x;t=%x;x=8dd4baba5585d42b","__REALTIME_TIMESTAMP":"%d","__MONOTONIC_TIMESTAMP":"%d","_BOOT_ID":"5f2c0e7b9a8d4c3e8f1a2b3c4d5e6f70","_MACHINE_ID":"0e1d2c3b4a5968778695a4b3c2d1e0f1","_HOSTNAME":"web-01","PRIORITY":"6","SYSLOG_FACILITY":"4","_UID":"0","_GID":"0","_TRANSPORT":"syslog","SYSLOG_IDENTIFIER":"sshd-session","SYSLOG_PID":"%d","_PID":"%d","_COMM":"sshd-session","_EXE":"/usr/sbin/sshd-session","_SYSTEMD_UNIT":"ssh.service","_SYSTEMD_SLICE":"system.slice","_CAP_EFFECTIVE":"1ffffffffff","_CMDLINE":"sshd-session: root [priv]","MESSAGE":"`+msgs[i%len(msgs)]+`"}`+"\n",
			i, us, us, us, i, 4000+i%500, 4000+i%500, i%250, 1024+i%60000)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	events := 0
	for b.Loop() {
		src, err := importers.FromReader("bench.json", bytes.NewReader(data), time.Time{})
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
