package index

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// caseIndex is an index holding testEvents, closed.
func caseIndex(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "idx")
	s, err := OpenOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, testEvents())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitWriter opens dir for writing in the background; the returned
// channels give the holders it said it waits for, and the store once open.
func waitWriter(ctx context.Context, dir string) (<-chan []Holder, <-chan *Store, <-chan error) {
	waits := make(chan []Holder, 16)
	opened := make(chan *Store, 1)
	errc := make(chan error, 1)
	go func() {
		s, err := OpenContext(ctx, dir, OpenOptions{Command: "sshtrail import", OnWait: func(hs []Holder) { waits <- hs }})
		if err != nil {
			errc <- err
			return
		}
		opened <- s
	}()
	return waits, opened, errc
}

// In one process: readers share the index, the opens that do not wait
// name the holder, and a writer that waits says for whom, asks the readers
// to yield, and gets the index once the last reader closed.
func TestReadersShareWritersWait(t *testing.T) {
	dir := caseIndex(t)
	ctx := context.Background()
	r1, err := OpenContext(ctx, dir, OpenOptions{ReadOnly: true, Command: "sshtrail tui"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	if n, err := r2.Total(ctx); err != nil || n != 5 {
		t.Fatalf("second reader: %d %v", n, err)
	}
	hs := Holders(dir)
	if len(hs) != 2 || hs[0].Write || hs[0].PID != os.Getpid() || hs[0].Command != "sshtrail tui" {
		t.Fatalf("holders %+v", hs)
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("sshtrail tui (pid %d)", os.Getpid())) {
		t.Fatalf("open for writing beside readers: %v", err)
	}

	waits, opened, errc := waitWriter(ctx, dir)
	select {
	case hs := <-waits:
		if !strings.Contains(HolderNames(hs), "sshtrail tui (pid ") {
			t.Fatalf("the writer waits for %q", HolderNames(hs))
		}
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("the writer did not say it waits")
	}
	ys := YieldRequests(dir)
	if len(ys) != 1 || !ys[0].Write || ys[0].Command != "sshtrail import" {
		t.Fatalf("yield requests while the writer waits: %+v", ys)
	}
	r1.Close()
	select {
	case <-opened:
		t.Fatal("the writer opened while a reader still held the index")
	case <-time.After(300 * time.Millisecond):
	}
	r2.Close()
	var w *Store
	select {
	case w = <-opened:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("the writer did not open after the readers closed")
	}
	defer w.Close()
	if ys := YieldRequests(dir); len(ys) != 0 {
		t.Fatalf("yield request left after the writer opened: %+v", ys)
	}
	if hs := Holders(dir); len(hs) != 1 || !hs[0].Write {
		t.Fatalf("holders with the writer in: %+v", hs)
	}

	// Readers now wait for the writer, and give up with their context.
	if _, err := OpenReadOnly(dir); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "sshtrail import (pid ") {
		t.Fatalf("read-only open beside the writer: %v", err)
	}
	var said []Holder
	tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = OpenContext(tctx, dir, OpenOptions{ReadOnly: true, OnWait: func(hs []Holder) { said = hs }})
	if !errors.Is(err, context.DeadlineExceeded) || len(said) != 1 || said[0].Command != "sshtrail import" {
		t.Fatalf("reader waiting for the writer: %v, said %+v", err, said)
	}
	// A second writer waits too, and withdraws its request when it gives up.
	wctx, wcancel := context.WithCancel(ctx)
	waits2, _, errc2 := waitWriter(wctx, dir)
	<-waits2
	if ys := YieldRequests(dir); len(ys) != 1 {
		t.Fatalf("yield requests with a second writer waiting: %+v", ys)
	}
	wcancel()
	if err := <-errc2; !errors.Is(err, context.Canceled) {
		t.Fatalf("second writer: %v", err)
	}
	if ys := YieldRequests(dir); len(ys) != 0 {
		t.Fatalf("a cancelled writer left its request: %+v", ys)
	}
}

// Entries of processes that died holding the index (SIGKILL) are ignored
// and swept.
func TestDeadHoldersIgnored(t *testing.T) {
	dir := caseIndex(t)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	dead := cmd.Process.Pid // reaped: no process has it now
	for _, sub := range []string{holdersDir, yieldDir} {
		os.MkdirAll(filepath.Join(dir, sub), 0o700)
		b := fmt.Sprintf(`{"pid":%d,"command":"sshtrail import","write":true}`, dead)
		if err := os.WriteFile(filepath.Join(dir, sub, strconv.Itoa(dead)+"-3"), []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if hs, ys := Holders(dir), YieldRequests(dir); len(hs) != 0 || len(ys) != 0 {
		t.Fatalf("dead entries listed: %+v %+v", hs, ys)
	}
	for _, sub := range []string{holdersDir, yieldDir} {
		if ents, _ := os.ReadDir(filepath.Join(dir, sub)); len(ents) != 0 {
			t.Fatalf("%s: dead entries kept: %v", sub, ents)
		}
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("open with dead entries around: %v", err)
	}
	s.Close()
}

// lockHelperEnv makes the test binary a reader process (TestLockHelper).
const lockHelperEnv = "SSHTRAIL_LOCK_HELPER"

// TestLockHelper is not a test: run by TestTwoReaderProcessesAndAWriter
// as a child process, it opens the index read-only, prints "open N", and
// holds it until its stdin closes; then it closes, waits until no writer
// waits (as the workbench does), reopens and prints "reopened N".
func TestLockHelper(t *testing.T) {
	dir := os.Getenv(lockHelperEnv)
	if dir == "" {
		t.Skip("run as a child of TestTwoReaderProcessesAndAWriter")
	}
	ctx := context.Background()
	s, err := OpenContext(ctx, dir, OpenOptions{ReadOnly: true, Command: "reader"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	n, err := s.Total(ctx)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("open", n)
	io.Copy(io.Discard, os.Stdin)
	s.Close()
	for len(YieldRequests(dir)) > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	s, err = OpenContext(ctx, dir, OpenOptions{ReadOnly: true, Command: "reader"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	n, _ = s.Total(ctx)
	s.Close()
	fmt.Println("reopened", n)
	os.Exit(0)
}

type helperProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startReader(t *testing.T, dir string) *helperProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelper$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+dir)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &helperProc{cmd: cmd, stdin: in, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() { in.Close(); cmd.Process.Kill(); cmd.Wait() })
	return p
}

func (p *helperProc) expect(t *testing.T, prefix string) string {
	t.Helper()
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("reader %d ended before %q", p.cmd.Process.Pid, prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return strings.TrimSpace(strings.TrimPrefix(l, prefix))
			}
			if strings.HasPrefix(l, "error") {
				t.Fatalf("reader %d: %s", p.cmd.Process.Pid, l)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("reader %d: no %q in 30 s", p.cmd.Process.Pid, prefix)
		}
	}
}

// Two processes hold the same index read-only at once and both answer; a
// writer beside them waits, naming both, until both closed; a reader that
// reopens after the writer sees what it wrote.
func TestTwoReaderProcessesAndAWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := caseIndex(t)
	a, b := startReader(t, dir), startReader(t, dir)
	// Neither lets go before its stdin closes: both are open at once.
	counts := []string{a.expect(t, "open "), b.expect(t, "open ")}
	if counts[0] != "5" || counts[1] != "5" {
		t.Fatalf("the readers counted %v, want 5 each", counts)
	}
	hs := Holders(dir)
	pids := map[int]bool{}
	for _, h := range hs {
		pids[h.PID] = true
	}
	if len(hs) != 2 || !pids[a.cmd.Process.Pid] || !pids[b.cmd.Process.Pid] {
		t.Fatalf("both readers hold the index at once: holders %+v, pids %d %d", hs, a.cmd.Process.Pid, b.cmd.Process.Pid)
	}

	ctx := context.Background()
	waits, opened, errc := waitWriter(ctx, dir)
	select {
	case hs := <-waits:
		names := HolderNames(hs)
		for _, p := range []*helperProc{a, b} {
			if !strings.Contains(names, fmt.Sprintf("reader (pid %d)", p.cmd.Process.Pid)) {
				t.Fatalf("the writer waits for %q, not naming %d", names, p.cmd.Process.Pid)
			}
		}
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not say it waits")
	}
	a.stdin.Close()
	select {
	case <-opened:
		t.Fatal("the writer opened while the second reader held the index")
	case <-time.After(500 * time.Millisecond):
	}
	b.stdin.Close()
	var w *Store
	select {
	case w = <-opened:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not open after both readers closed")
	}
	more := testEvents()
	for i, ev := range more {
		ev.ID = schema.EventID("more", int64(i), ev.Message)
	}
	ingest(t, w, more)
	// The readers wait for the writer to close before they reopen.
	time.Sleep(200 * time.Millisecond)
	select {
	case l := <-a.lines:
		t.Fatalf("a reader reopened while the writer held the index: %q", l)
	default:
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*helperProc{a, b} {
		if n := p.expect(t, "reopened "); n != "10" {
			t.Fatalf("reader %d reopened on %s events, want 10", p.cmd.Process.Pid, n)
		}
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("reader %d: %v", p.cmd.Process.Pid, err)
		}
	}
}
