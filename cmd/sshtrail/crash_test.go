package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles sshtrail once for the subprocess tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "sshtrail")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// writeAuthLog writes n lines in the shapes of a real Debian auth.log under
// brute force (the forms of the fail2ban and loghub corpora).
func writeAuthLog(t *testing.T, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewSource(7))
	users := []string{"root", "admin", "oracle", "test", "deploy", "postgres"}
	ts := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		ts = ts.Add(time.Duration(r.Intn(900)) * time.Millisecond)
		src := fmt.Sprintf("203.0.113.%d", r.Intn(250)+1)
		pid := 2000 + r.Intn(30000)
		var msg string
		switch r.Intn(5) {
		case 0:
			msg = fmt.Sprintf("sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k", pid, users[r.Intn(6)], src, 1024+r.Intn(60000))
		case 1:
			msg = fmt.Sprintf("CRON[%d]: pam_unix(cron:session): session opened for user root by (uid=0)", pid)
		default:
			msg = fmt.Sprintf("sshd[%d]: Failed password for invalid user %s from %s port %d ssh2", pid, users[r.Intn(6)], src, 1024+r.Intn(60000))
		}
		fmt.Fprintf(w, "%s bastion01 %s\n", ts.Format(time.Stamp), msg)
	}
	w.Flush()
	f.Close()
	mt := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	os.Chtimes(path, mt, mt)
}

func importCount(t *testing.T, bin, idx, log string) int {
	t.Helper()
	out, err := exec.Command(bin, "--index", idx, "import", "--json", log).CombinedOutput()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	return searchCount(t, bin, idx)
}

func searchCount(t *testing.T, bin, idx string) int {
	t.Helper()
	return countOf(t, bin, idx)
}

// TestImportSurvivesSIGKILL kills imports at random points, then checks the
// index opens, answers, and a final re-run holds exactly the right events.
func TestImportSurvivesSIGKILL(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "auth.log")
	writeAuthLog(t, log, 60000)
	want := importCount(t, bin, filepath.Join(dir, "clean"), log)
	if want < 40000 {
		t.Fatalf("clean import holds %d events", want)
	}
	idx := filepath.Join(dir, "killed")
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 10; i++ {
		cmd := exec.Command(bin, "--index", idx, "import", "--json", log)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+r.Intn(1500)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		// The index opens and answers after every kill.
		if n := searchCount(t, bin, idx); n > want {
			t.Fatalf("kill %d: %d events, more than %d", i, n, want)
		}
	}
	if got := importCount(t, bin, idx, log); got != want {
		t.Fatalf("after 10 kills and a re-run: %d events, want %d", got, want)
	}
}
