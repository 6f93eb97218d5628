package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

// writeSessions writes n complete SSH logons to host in the shape Debian's
// OpenSSH 9 writes them: every line is one event (5 per logon) and every
// logon is one successful session, so the answer key is known by
// construction: 5n events, n sessions.
func writeSessions(t *testing.T, path, host string, n int, seed int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewSource(seed))
	users := []string{"alice", "deploy", "backup", "carol"}
	ts := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(seed) * time.Hour)
	for i := 0; i < n; i++ {
		ts = ts.Add(time.Duration(5+r.Intn(55)) * time.Second)
		pid := 10000 + i
		u := users[r.Intn(len(users))]
		src := fmt.Sprintf("10.%d.%d.%d", seed%200, r.Intn(250), r.Intn(250)+1)
		port := 30000 + r.Intn(30000)
		end := ts.Add(time.Duration(1+r.Intn(30)) * time.Second)
		lines := []string{
			fmt.Sprintf("%s %s sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k", ts.Format(time.Stamp), host, pid, u, src, port),
			fmt.Sprintf("%s %s sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)", ts.Format(time.Stamp), host, pid, u),
			fmt.Sprintf("%s %s sshd[%d]: Received disconnect from %s port %d:11: disconnected by user", end.Format(time.Stamp), host, pid, src, port),
			fmt.Sprintf("%s %s sshd[%d]: Disconnected from user %s %s port %d", end.Format(time.Stamp), host, pid, u, src, port),
			fmt.Sprintf("%s %s sshd[%d]: pam_unix(sshd:session): session closed for user %s", end.Format(time.Stamp), host, pid, u),
		}
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

func countOf(t *testing.T, bin, idx string, extra ...string) int {
	t.Helper()
	args := append([]string{"--index", idx, "search", "--count"}, extra...)
	out, err := exec.Command(bin, append(args, "*")...).Output()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("count %q", out)
	}
	return n
}

// logLen is the committed event-log length against the file's size.
func logState(t *testing.T, idx string) (committed, size int64) {
	t.Helper()
	s, err := index.Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	committed = s.LogEnd()
	s.Close()
	st, err := os.Stat(filepath.Join(idx, "events.zst"))
	if err != nil {
		t.Fatal(err)
	}
	return committed, st.Size()
}

// TestImportBoundaries: a batch that adds no events (a copy of an imported
// log last, or a file whose events end exactly on a batch boundary) reset
// the event log to 0 and deleted the sessions of the hosts it rebuilt.
func TestImportBoundaries(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "web01-auth.log")
	c := filepath.Join(dir, "db01-auth.log")
	writeSessions(t, a, "web01", 300, 1) // 1500 events
	writeSessions(t, c, "db01", 200, 2)  // 1000 events: exactly one batch
	copyA := filepath.Join(dir, "web01-auth.log.1")
	data, _ := os.ReadFile(a)
	os.WriteFile(copyA, data, 0o600)

	check := func(step, idx string, events, sess int) {
		t.Helper()
		if n := countOf(t, bin, idx); n != events {
			t.Fatalf("%s: %d events, want %d", step, n, events)
		}
		if n := countOf(t, bin, idx, "--sessions"); n != sess {
			t.Fatalf("%s: %d sessions, want %d", step, n, sess)
		}
		if committed, size := logState(t, idx); committed != size || committed == 0 {
			t.Fatalf("%s: event log committed %d, file %d", step, committed, size)
		}
	}

	// import a; import copy-of-a c — the copy adds nothing and is first.
	idx := filepath.Join(dir, "i1")
	run(t, bin, "--index", idx, "import", "--year", "2026", a)
	check("a", idx, 1500, 300)
	run(t, bin, "--index", idx, "import", "--year", "2026", copyA, c)
	check("copy then new", idx, 2500, 500)

	// import new, copy-of-imported: the copy is the last file.
	idx = filepath.Join(dir, "i2")
	run(t, bin, "--index", idx, "import", "--year", "2026", a)
	run(t, bin, "--index", idx, "import", "--year", "2026", c, copyA)
	check("new then copy", idx, 2500, 500)
	// And again: nothing new at all.
	run(t, bin, "--index", idx, "import", "--year", "2026", copyA, a, c)
	check("everything again", idx, 2500, 500)

	// The added count an exact multiple of the batch size.
	for _, batch := range []string{"1000", "500", "250"} {
		idx = filepath.Join(dir, "b"+batch)
		run(t, bin, "--index", idx, "import", "--year", "2026", "--batch", batch, c)
		check("batch "+batch, idx, 1000, 200)
		run(t, bin, "--index", idx, "import", "--year", "2026", "--batch", batch, a)
		check("batch "+batch+" then a", idx, 2500, 500)
	}
}

// TestTwoImportsInOneProcess is the workbench's path: one Store, imports
// one after another, sessions finished after each.
func TestTwoImportsInOneProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := filepath.Join(dir, "web01-auth.log")
	c := filepath.Join(dir, "db01-auth.log")
	writeSessions(t, a, "web01", 300, 1)
	writeSessions(t, c, "db01", 200, 2)
	copyA := filepath.Join(dir, "copy-of-web01.log")
	data, _ := os.ReadFile(a)
	os.WriteFile(copyA, data, 0o600)

	s, err := index.OpenOrCreate(filepath.Join(dir, "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	opts := ingest.Options{Options: importers.Options{Year: 2026}}
	steps := []struct {
		files          []string
		events, sessns int
	}{
		{[]string{a}, 1500, 300},
		{[]string{copyA}, 1500, 300},
		{[]string{c}, 2500, 500},
		{[]string{copyA, a, c}, 2500, 500},
	}
	for i, st := range steps {
		if _, err := ingest.Run(ctx, s, st.files, opts); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if _, _, err := sessions.Finish(ctx, s, sessions.Options{}); err != nil {
			t.Fatalf("step %d: sessions: %v", i, err)
		}
		n, err := s.Total(ctx)
		if err != nil || int(n) != st.events {
			t.Fatalf("step %d: %d events (%v), want %d", i, n, err, st.events)
		}
		scanned := 0
		s.Scan(ctx, func(*schema.Event) error { scanned++; return nil })
		if scanned != st.events {
			t.Fatalf("step %d: scan read %d events, want %d", i, scanned, st.events)
		}
		ns, err := s.CountSessions(ctx, index.Query{})
		if err != nil || int(ns) != st.sessns {
			t.Fatalf("step %d: %d sessions (%v), want %d", i, ns, err, st.sessns)
		}
	}
}

// caseCounts is what a command-line user sees of a case: events, sessions
// and findings (by rule), each from its own command.
type caseCounts struct {
	events, sessions int
	findings         string
}

func countsOf(t *testing.T, bin, idx string) caseCounts {
	t.Helper()
	c := caseCounts{events: countOf(t, bin, idx), sessions: countOf(t, bin, idx, "--sessions")}
	out, err := exec.Command(bin, "--index", idx, "detect", "--json").Output()
	if err != nil {
		t.Fatalf("detect: %v", err)
	}
	c.findings = findingKey(out)
	return c
}

// findingKey reduces detect --json output to "rule count" lines, sorted.
func findingKey(out []byte) string {
	by := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l == "" {
			continue
		}
		var f struct {
			Rule string `json:"rule"`
		}
		if json.Unmarshal([]byte(l), &f) != nil || f.Rule == "" {
			by["?"]++
			continue
		}
		by[f.Rule]++
	}
	var lines []string
	for r, n := range by {
		lines = append(lines, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func genCase(t *testing.T, bin, dir string, events, hosts int) {
	t.Helper()
	run(t, bin, "gen", "--out", dir, "--events", strconv.Itoa(events), "--hosts", strconv.Itoa(hosts))
}

// TestFullDisk: on a small tmpfs the import stops with a clear error and a
// non-zero exit (no hang in compaction, no panic in Close); once there is
// room, a re-run gives the clean counts, sessions and findings included.
func TestFullDisk(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "case")
	genCase(t, bin, data, 80000, 8)
	want := func() caseCounts {
		idx := filepath.Join(dir, "clean")
		run(t, bin, "--index", idx, "import", data)
		return countsOf(t, bin, idx)
	}()
	if want.events < 70000 || want.sessions == 0 || want.findings == "" {
		t.Fatalf("clean import: %+v", want)
	}
	// Sizes that run out in ingest, in the Bleve merges and before the
	// compaction, as parts of the clean index's size (the store's size
	// changes with its format: 48 MiB was full at format 3 and holds this
	// whole case at format 4).
	clean := dirMiB(t, filepath.Join(dir, "clean"))
	for _, mb := range []int{clean / 4, clean * 3 / 4, clean * 5 / 4} {
		mnt := filepath.Join(dir, fmt.Sprintf("tmpfs%d", mb))
		os.MkdirAll(mnt, 0o700)
		if err := mountTmpfs(mnt, mb); err != nil {
			t.Skipf("cannot mount a tmpfs here: %v", err)
		}
		t.Cleanup(func() { unmount(mnt) })
		idx := filepath.Join(mnt, "idx")
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, bin, "--index", idx, "import", data).CombinedOutput()
		hung := ctx.Err() != nil
		cancel()
		took := time.Since(start)
		if hung {
			t.Fatalf("%d MiB: import hung (%s)\n%s", mb, took, out)
		}
		if err == nil {
			t.Fatalf("%d MiB: import succeeded on a full disk\n%s", mb, out)
		}
		if strings.Contains(string(out), "panic") || !strings.Contains(string(out), "no space left on device") || !strings.Contains(string(out), "MiB free") {
			t.Fatalf("%d MiB: unclear error\n%s", mb, out)
		}
		t.Logf("%d MiB: failed after %s: %s", mb, took.Round(time.Millisecond), lastLine(out))
		if err := remountTmpfs(mnt, 400); err != nil {
			t.Fatal(err)
		}
		run(t, bin, "--index", idx, "import", data)
		if got := countsOf(t, bin, idx); got != want {
			t.Fatalf("%d MiB, re-run with room: %+v, want %+v", mb, got, want)
		}
	}
}

// dirMiB is the size of the files under dir, in MiB, rounded up.
func dirMiB(t *testing.T, dir string) int {
	t.Helper()
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return int((n + 1<<20 - 1) >> 20)
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TestOriginalBytesShownEscaped: a journald record whose MESSAGE is not
// UTF-8 (journalctl -o json writes it as an array of bytes) keeps its
// bytes: search --json carries them in message_raw, the table shows them
// escaped (\xe9), never U+FFFD in the message.
func TestOriginalBytesShownEscaped(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	msg := []byte("Invalid user jos\xe9 from 203.0.113.9 port 50200")
	var arr []string
	for _, b := range msg {
		arr = append(arr, strconv.Itoa(int(b)))
	}
	rec := `{"__CURSOR":"s=a1b2c3d4e5f60718293a4b5c6d7e8f90;i=4b00b;b=5f2c0e7b9a8d4c3e8f1a2b3c4d5e6f70;m=39cb516e4;t=64cf3beae5341;x=8dd4baba5585d422",` +
		`"__REALTIME_TIMESTAMP":"1773459621123456","_HOSTNAME":"web-01","PRIORITY":"6","SYSLOG_FACILITY":"4","_TRANSPORT":"syslog",` +
		`"SYSLOG_IDENTIFIER":"sshd-session","SYSLOG_PID":"4131","_PID":"4131","_COMM":"sshd-session","_EXE":"/usr/sbin/sshd-session",` +
		`"_SYSTEMD_UNIT":"ssh.service","MESSAGE":[` + strings.Join(arr, ",") + `]}` + "\n"
	path := filepath.Join(dir, "journal.json")
	os.WriteFile(path, []byte(rec), 0o600)
	idx := filepath.Join(dir, "idx")
	run(t, bin, "--index", idx, "import", path)
	out := run(t, bin, "--index", idx, "search", "--json", "*")
	var ev struct {
		Message    string `json:"message"`
		MessageRaw string `json:"message_raw"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	raw, err := base64.StdEncoding.DecodeString(ev.MessageRaw)
	if err != nil || string(raw) != string(msg) {
		t.Fatalf("message_raw %q decodes to %q, want %q", ev.MessageRaw, raw, msg)
	}
	table, err := exec.Command(bin, "--index", idx, "search", "*").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(table), `Invalid user jos\xe9 from`) {
		t.Fatalf("table does not show the byte escaped:\n%s", table)
	}
}

// TestFailedPathFailsImport: a path that cannot be read makes the import
// exit non-zero, and what could be read is still stored.
func TestFailedPathFailsImport(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "web01-auth.log")
	writeSessions(t, good, "web01", 10, 1)
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{filepath.Join(dir, "missing.log"), fifo} {
		idx := filepath.Join(dir, "idx-"+filepath.Base(bad))
		out, err := exec.Command(bin, "--index", idx, "import", "--year", "2026", good, bad).CombinedOutput()
		if err == nil {
			t.Fatalf("%s: exit 0\n%s", bad, out)
		}
		if !strings.Contains(string(out), "could not be read") || !strings.Contains(string(out), filepath.Base(bad)) {
			t.Fatalf("%s: unclear\n%s", bad, out)
		}
		if n := countOf(t, bin, idx); n != 50 {
			t.Fatalf("%s: %d events stored, want the good file's 50", bad, n)
		}
	}
}
