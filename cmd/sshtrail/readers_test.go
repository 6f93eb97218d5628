package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/index"
)

// The real logs these tests import (the authlog importer's corpus).
var (
	fail2banLog = filepath.Join("..", "..", "importers", "authlog", "testdata", "fail2ban-sshd.log")
	wazuhLog    = filepath.Join("..", "..", "importers", "authlog", "testdata", "wazuh-sshd-entries.log")
)

// readerHelperEnv makes the test binary a long-lived reader, as a
// workbench is (TestReaderHelper).
const readerHelperEnv = "SSHTRAIL_READER_HELPER"

// TestReaderHelper is not a test: started by the tests below as a child
// process, it opens the index read-only, prints "open N" and holds it
// until its stdin closes; then it gives the index up, waits until no
// writer waits (the workbench's protocol), reopens and prints "reopened N".
func TestReaderHelper(t *testing.T) {
	dir := os.Getenv(readerHelperEnv)
	if dir == "" {
		t.Skip("run as a child process by the readers tests")
	}
	ctx := context.Background()
	count := func() int {
		s, err := index.OpenContext(ctx, dir, index.OpenOptions{ReadOnly: true, Command: "reader"})
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
		return int(n)
	}
	count()
	for len(index.YieldRequests(dir)) > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	s, err := index.OpenContext(ctx, dir, index.OpenOptions{ReadOnly: true, Command: "reader"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	n, _ := s.Total(ctx)
	s.Close()
	fmt.Println("reopened", n)
	os.Exit(0)
}

// lineProc is a process whose output lines are read as they come.
type lineProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan error
}

func startLines(t *testing.T, cmd *exec.Cmd, stderr bool) *lineProc {
	t.Helper()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	r, w := io.Pipe()
	cmd.Stdout = w
	if stderr {
		cmd.Stderr = w
	} else {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &lineProc{cmd: cmd, stdin: in, lines: make(chan string, 256), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	go func() { err := cmd.Wait(); w.Close(); p.done <- err }()
	t.Cleanup(func() { in.Close(); cmd.Process.Kill() })
	return p
}

// expect returns the rest of the first line starting with prefix.
func (p *lineProc) expect(t *testing.T, prefix string, d time.Duration) string {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("%v ended before a line %q", p.cmd.Args, prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return strings.TrimPrefix(l, prefix)
			}
			if strings.HasPrefix(l, "error") {
				t.Fatalf("%v: %s", p.cmd.Args, l)
			}
		case <-deadline:
			t.Fatalf("%v: no line %q within %v", p.cmd.Args, prefix, d)
		}
	}
}

func startReaderHelper(t *testing.T, idx string) *lineProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReaderHelper$")
	cmd.Env = append(os.Environ(), readerHelperEnv+"="+idx)
	return startLines(t, cmd, false)
}

// A long-lived reader holds the index (as a workbench does): read commands
// run beside it, two at once, and answer; none says "in use".
func TestReadCommandsBesideAReader(t *testing.T) {
	bin := buildBinary(t)
	idx := filepath.Join(t.TempDir(), "idx")
	run(t, bin, "--index", idx, "import", fail2banLog)
	want := countOf(t, bin, idx)
	holder := startReaderHelper(t, idx)
	if n := holder.expect(t, "open ", 30*time.Second); n != strconv.Itoa(want) {
		t.Fatalf("the reader counts %s, want %d", n, want)
	}
	cmds := [][]string{
		{"search", "--count", "*"},
		{"search", "--count", "*"},
		{"sessions"},
		{"detect"},
		{"pivot", "ip", "192.0.2.1"},
		{"paths"},
		{"export", "--format", "jsonl"},
	}
	type result struct {
		args []string
		out  []byte
		err  error
	}
	results := make(chan result, len(cmds))
	for _, c := range cmds {
		go func() {
			cmd := exec.Command(bin, append([]string{"--index", idx}, c...)...)
			out, err := cmd.CombinedOutput()
			results <- result{c, out, err}
		}()
	}
	for range cmds {
		select {
		case r := <-results:
			if r.err != nil || strings.Contains(string(r.out), "in use") || strings.Contains(string(r.out), "waiting") {
				t.Errorf("%v beside a reader: %v\n%s", r.args, r.err, r.out)
			}
			if r.args[0] == "search" && strings.TrimSpace(string(r.out)) != strconv.Itoa(want) {
				t.Errorf("%v: %q, want %d", r.args, r.out, want)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("a read command beside a reader did not answer in 2 minutes")
		}
	}
}

// An import started while a reader holds the index waits, saying for whom;
// read commands still answer meanwhile; the import finishes once the
// reader let go, and the reader sees the new events when it reopens.
func TestImportWaitsForAReader(t *testing.T) {
	bin := buildBinary(t)
	idx := filepath.Join(t.TempDir(), "idx")
	run(t, bin, "--index", idx, "import", fail2banLog)
	before := countOf(t, bin, idx)
	holder := startReaderHelper(t, idx)
	holder.expect(t, "open ", 30*time.Second)

	imp := startLines(t, exec.Command(bin, "--index", idx, "import", wazuhLog), true)
	msg := holder.cmd.Process.Pid
	said := imp.expect(t, "sshtrail: waiting for ", 30*time.Second)
	if want := fmt.Sprintf("reader (pid %d) to release the index…", msg); said != want {
		t.Fatalf("the import says %q, want %q", said, want)
	}
	select {
	case err := <-imp.done:
		t.Fatalf("the import ended (%v) while the reader held the index", err)
	case <-time.After(time.Second):
	}
	// A reader beside a waiting writer is not held up by it.
	if n := countOf(t, bin, idx); n != before {
		t.Fatalf("search beside the waiting import: %d, want %d", n, before)
	}

	holder.stdin.Close()
	select {
	case err := <-imp.done:
		if err != nil {
			t.Fatalf("import after the reader let go: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the import did not finish after the reader let go")
	}
	after := countOf(t, bin, idx)
	if after <= before {
		t.Fatalf("the import added nothing: %d then %d", before, after)
	}
	if n := holder.expect(t, "reopened ", 30*time.Second); n != strconv.Itoa(after) {
		t.Fatalf("the reader reopened on %s events, want %d", n, after)
	}
}

// While an import writes, a second import and a read command wait and say
// for whom, then both go on.
func TestSecondImportAndReaderWaitForAnImport(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	big := filepath.Join(dir, "auth.log")
	writeAuthLog(t, big, 60000)
	idx := filepath.Join(dir, "idx")
	first := startLines(t, exec.Command(bin, "--index", idx, "import", big), true)
	// The index exists once the first import holds it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if hs := index.Holders(idx); len(hs) == 1 && hs[0].Write {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first import never held the index")
		}
		time.Sleep(5 * time.Millisecond)
	}
	pid := first.cmd.Process.Pid
	second := startLines(t, exec.Command(bin, "--index", idx, "import", fail2banLog), true)
	search := startLines(t, exec.Command(bin, "--index", idx, "search", "--count", "*"), true)
	if said, want := second.expect(t, "sshtrail: waiting for ", 30*time.Second), fmt.Sprintf("sshtrail import (pid %d) to release the index…", pid); said != want {
		t.Fatalf("second import: %q, want %q", said, want)
	}
	if said, want := search.expect(t, "sshtrail: waiting for ", 30*time.Second), fmt.Sprintf("sshtrail import (pid %d) to finish…", pid); said != want {
		t.Fatalf("search: %q, want %q", said, want)
	}
	// The count, after one more wait if the second import took the index
	// before the search did (then the search names it).
	seen := -1
	for seen < 0 {
		select {
		case l := <-search.lines:
			// A holder that has the lock but has not yet written its
			// record is named generically.
			if strings.HasPrefix(l, "sshtrail: waiting for sshtrail import (pid ") || l == "sshtrail: waiting for another sshtrail process to finish…" {
				continue
			}
			var err error
			if seen, err = strconv.Atoi(strings.TrimSpace(l)); err != nil {
				t.Fatalf("search after the wait: %q", l)
			}
		case <-time.After(3 * time.Minute):
			t.Fatal("search did not answer after the import")
		}
	}
	for _, p := range []*lineProc{first, second, search} {
		select {
		case err := <-p.done:
			if err != nil {
				t.Fatalf("%v: %v", p.cmd.Args, err)
			}
		case <-time.After(3 * time.Minute):
			t.Fatalf("%v did not finish", p.cmd.Args)
		}
	}
	// The search waited for the whole first import (CRON lines are not
	// events: 60000 lines are some 48k events).
	if n := countOf(t, bin, idx); seen < 40000 || n < seen {
		t.Fatalf("search saw %d events after the first import, %d after both", seen, n)
	}
}
