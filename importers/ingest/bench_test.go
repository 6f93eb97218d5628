package ingest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/index"
)

// writeAuth writes n auth.log lines in the shapes of a real Debian server
// under brute force (fail2ban / loghub corpus forms), ~20% of them CRON.
func writeAuth(tb testing.TB, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewSource(7))
	users := []string{"root", "admin", "oracle", "test", "deploy", "postgres", "alice", "bob"}
	ts := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		ts = ts.Add(time.Duration(r.Intn(900)) * time.Millisecond)
		src := fmt.Sprintf("203.0.%d.%d", r.Intn(250), r.Intn(250)+1)
		pid := 2000 + r.Intn(30000)
		port := 1024 + r.Intn(60000)
		u := users[r.Intn(len(users))]
		host := fmt.Sprintf("srv%02d", r.Intn(20))
		var msg string
		switch r.Intn(10) {
		case 0:
			msg = fmt.Sprintf("sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k", pid, u, src, port)
		case 1:
			msg = fmt.Sprintf("sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)", pid, u)
		case 2, 3:
			msg = fmt.Sprintf("CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", pid)
		case 4:
			msg = fmt.Sprintf("sshd[%d]: Invalid user %s from %s port %d", pid, u, src, port)
		case 5:
			msg = fmt.Sprintf("sshd[%d]: Connection closed by authenticating user %s %s port %d [preauth]", pid, u, src, port)
		case 6:
			msg = fmt.Sprintf("sshd[%d]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s", pid, src, u)
		default:
			msg = fmt.Sprintf("sshd[%d]: Failed password for invalid user %s from %s port %d ssh2", pid, u, src, port)
		}
		fmt.Fprintf(w, "%s %s %s\n", ts.Format(time.Stamp), host, msg)
	}
	w.Flush()
	f.Close()
	mt := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	os.Chtimes(path, mt, mt)
	st, _ := os.Stat(path)
	return st.Size()
}

// BenchmarkImportAuthLog is the whole import path: read, parse, classify,
// index, commit.
func BenchmarkImportAuthLog(b *testing.B) {
	const n = 200000
	dir := b.TempDir()
	log := filepath.Join(dir, "auth.log")
	raw := writeAuth(b, log, n)
	b.ResetTimer()
	events := 0
	var idxBytes int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		idx := filepath.Join(dir, fmt.Sprint("idx", i))
		s, err := index.OpenOrCreate(idx)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Run(context.Background(), s, []string{log}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		events += sum.Events
		s.Close()
		b.StopTimer()
		filepath.Walk(idx, func(_ string, fi os.FileInfo, _ error) error {
			if fi != nil && !fi.IsDir() {
				idxBytes += fi.Size()
			}
			return nil
		})
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(idxBytes)/float64(b.N)/float64(raw), "index/raw")
	b.ReportMetric(float64(idxBytes)/float64(events), "index-B/event")
}
