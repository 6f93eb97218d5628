package saved

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// helperEnv selects what TestHelperProcess does when the test binary runs
// itself as a child writer.
const helperEnv = "SSHTRAIL_SAVED_HELPER"

// TestHelperProcess is not a test: it is a writer process for the tests
// below, the standard os/exec pattern. Modes:
//
//	put:   print "ready", wait for stdin to close (the start gun shared by
//	       all children), Put each of $NAMES and Update "counter" once.
//	loop:  Put k-0, k-1, ... forever, pausing randomly just before each
//	       rename so a SIGKILL often lands between temp file and rename.
//	pause: Put $NAMES, stopping for good just before the rename.
//
// Every Put that returned nil is reported with "saved NAME" on stdout,
// written unbuffered, so the parent knows what was promised before a kill.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	f := File{Path: os.Getenv("CONFIG")}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	switch mode {
	case "put":
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		for _, name := range strings.Split(os.Getenv("NAMES"), ",") {
			if err := f.Put(Query{Name: name, Query: "user:" + name}); err != nil {
				fail(err)
			}
			fmt.Println("saved", name)
		}
		if err := f.Update("counter", func(q *Query, exists bool) error {
			q.Query = "*"
			q.LastCount++
			return nil
		}); err != nil {
			fail(err)
		}
	case "loop":
		testHookBeforeRename = func(string) { time.Sleep(time.Duration(rand.N(3000)) * time.Microsecond) }
		fmt.Println("ready")
		prefix := os.Getenv("NAMES")
		for i := 0; ; i++ {
			name := fmt.Sprintf("%s-%d", prefix, i)
			if err := f.Put(Query{Name: name, Query: "user:x"}); err != nil {
				fail(err)
			}
			fmt.Println("saved", name)
		}
	case "pause":
		testHookBeforeRename = func(tmp string) {
			fmt.Println("paused", tmp)
			select {}
		}
		if err := f.Put(Query{Name: os.Getenv("NAMES"), Query: "user:x"}); err != nil {
			fail(err)
		}
	default:
		fail(fmt.Errorf("unknown helper mode %q", mode))
	}
	os.Exit(0)
}

// child is a running helper process and the lines it has printed.
type child struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan struct{}
}

func startChild(t *testing.T, mode, config, names string, stdin *os.File) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "CONFIG="+config, "NAMES="+names)
	cmd.Stderr = os.Stderr
	if stdin != nil {
		cmd.Stdin = stdin
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1<<16), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	return c
}

// wait reads until a line starting with prefix, failing after a while.
func (c *child) wait(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("child exited before %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			c.cmd.Process.Kill()
			t.Fatalf("no %q from child", prefix)
		}
	}
}

// rest returns the lines printed after those already read, once the
// child's stdout has closed.
func (c *child) rest() []string {
	<-c.done
	var ls []string
	for l := range c.lines {
		ls = append(ls, l)
	}
	return ls
}

// names counts every saved query in the file, duplicates included (List
// would hide none, but this also checks the file is valid YAML on its own).
func names(t *testing.T, path string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Queries []Query }
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("config does not parse: %v\n%s", err, data)
	}
	n := map[string]int{}
	for _, q := range doc.Queries {
		n[q.Name]++
	}
	return n
}

func temps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const commentedConfig = "# keep me\nindex: /cases/1/idx\nassets:\n  bastion01: [10.0.1.10]\n"

// checkKept asserts the rest of the config survived the saves.
func checkKept(t *testing.T, path string) {
	t.Helper()
	data, _ := os.ReadFile(path)
	for _, want := range []string{"# keep me", "index: /cases/1/idx", "bastion01:"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("lost %q", want)
		}
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	const n = 32
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(commentedConfig), 0o600)
	f := File{Path: path}
	for i := range n / 2 {
		if err := f.Put(Query{Name: fmt.Sprintf("old-%d", i), Query: "*"}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs <- File{Path: path}.Put(Query{Name: fmt.Sprintf("g-%d", i), Query: "user:x"})
			errs <- File{Path: path}.Update("counter", func(q *Query, _ bool) error {
				q.Query = "*"
				q.LastCount++
				return nil
			})
			if i < n/2 {
				errs <- File{Path: path}.Delete(fmt.Sprintf("old-%d", i))
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := names(t, path)
	for i := range n {
		if c := got[fmt.Sprintf("g-%d", i)]; c != 1 {
			t.Errorf("g-%d present %d times", i, c)
		}
	}
	for i := range n / 2 {
		if c := got[fmt.Sprintf("old-%d", i)]; c != 0 {
			t.Errorf("deleted old-%d present %d times", i, c)
		}
	}
	if len(got) != n+1 {
		t.Errorf("%d queries, want %d: %v", len(got), n+1, got)
	}
	if q, err := f.Get("counter"); err != nil || q.LastCount != n {
		t.Errorf("counter = %d after %d concurrent updates (%v)", q.LastCount, n, err)
	}
	checkKept(t, path)
	if tm := temps(t, filepath.Dir(path)); len(tm) != 0 {
		t.Errorf("temp files left: %v", tm)
	}
}

func TestConcurrentProcesses(t *testing.T) {
	const procs, each = 24, 2
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(commentedConfig), 0o600)
	// One pipe read by all children: closing its write end starts them
	// together, once all are up.
	gun, fire, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var kids []*child
	for p := range procs {
		var ns []string
		for e := range each {
			ns = append(ns, fmt.Sprintf("p%d-%d", p, e))
		}
		kids = append(kids, startChild(t, "put", path, strings.Join(ns, ","), gun))
	}
	gun.Close()
	for _, k := range kids {
		k.wait(t, "ready")
	}
	fire.Close()
	reported := 0
	for _, k := range kids {
		for _, l := range k.rest() {
			if strings.HasPrefix(l, "saved ") {
				reported++
			}
		}
		if err := k.cmd.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	if reported != procs*each {
		t.Fatalf("%d saves reported, want %d", reported, procs*each)
	}
	got := names(t, path)
	for p := range procs {
		for e := range each {
			if c := got[fmt.Sprintf("p%d-%d", p, e)]; c != 1 {
				t.Errorf("p%d-%d present %d times", p, e, c)
			}
		}
	}
	if len(got) != procs*each+1 {
		t.Errorf("%d queries, want %d", len(got), procs*each+1)
	}
	if q, err := (File{Path: path}).Get("counter"); err != nil || q.LastCount != procs {
		t.Errorf("counter = %d after %d processes each added one (%v)", q.LastCount, procs, err)
	}
	checkKept(t, path)
	if tm := temps(t, filepath.Dir(path)); len(tm) != 0 {
		t.Errorf("temp files left: %v", tm)
	}
}

// TestKillMidSave SIGKILLs writers at random moments, many landing between
// temp file and rename: the config must always parse and hold every query
// a writer reported saved, and the next write must clear the leftovers.
func TestKillMidSave(t *testing.T) {
	kills := 60
	if testing.Short() {
		kills = 10
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(commentedConfig), 0o640)
	promised := map[string]bool{}
	leftovers := 0
	for k := range kills {
		c := startChild(t, "loop", path, fmt.Sprintf("k%d", k), nil)
		c.wait(t, "ready")
		time.Sleep(time.Duration(rand.N(40000)) * time.Microsecond)
		c.cmd.Process.Signal(syscall.SIGKILL)
		for _, l := range c.rest() {
			if name, ok := strings.CutPrefix(l, "saved "); ok {
				promised[name] = true
			}
		}
		if err := c.cmd.Wait(); err == nil {
			t.Fatal("writer exited before the kill")
		}
		if len(temps(t, dir)) > 0 {
			leftovers++
		}
		got := names(t, path)
		for name := range promised {
			if got[name] != 1 {
				t.Fatalf("after kill %d: %s reported saved, present %d times", k, name, got[name])
			}
		}
	}
	t.Logf("%d kills, %d saves reported and kept, %d kills left a temp file behind", kills, len(promised), leftovers)
	if leftovers == 0 {
		t.Log("no kill landed between temp file and rename; TestKillPausedWriter covers that")
	}
	if err := (File{Path: path}).Put(Query{Name: "after", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if tm := temps(t, dir); len(tm) != 0 {
		t.Errorf("temp files left after the next write: %v", tm)
	}
	checkKept(t, path)
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after kills, want 0640", st.Mode().Perm())
	}
}

// TestKillPausedWriter kills a writer exactly between its synced temp file
// and the rename, the worst moment.
func TestKillPausedWriter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	f := File{Path: path}
	if err := f.Put(Query{Name: "before", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "pause", path, "doomed", nil)
	tmp := strings.TrimPrefix(c.wait(t, "paused "), "paused ")
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("paused writer's temp file: %v", err)
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.rest()
	c.cmd.Wait()
	got := names(t, path)
	if got["before"] != 1 || got["doomed"] != 0 {
		t.Fatalf("after the kill: %v", got)
	}
	// The dead writer's lock went with it: this must not wait.
	t0 := time.Now()
	if err := f.Put(Query{Name: "next", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("next write waited %v for a dead writer's lock", d)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dead writer's temp file %s still there (%v)", tmp, err)
	}
	if got := names(t, path); got["before"] != 1 || got["next"] != 1 || len(got) != 2 {
		t.Fatalf("after the next write: %v", got)
	}
}

func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(commentedConfig), 0o600)
	old := time.Now().Add(-2 * time.Minute)
	write := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("queries: [half"), 0o600)
		os.Chtimes(p, mtime, mtime)
		return p
	}
	ours := write(".config.yaml.tmp-4242-987654", time.Now()) // fresh, but no live writer can own it
	legacyOld := write(".config-123456789.yaml", old)
	legacyNew := write(".config-987654321.yaml", time.Now()) // maybe an old sshtrail mid-write
	users := write(".config-backup.yaml", old)
	other := write(".other.yaml.tmp-1-1", old) // another config's, in a shared dir
	if err := (File{Path: path}).Put(Query{Name: "q", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{ours: false, legacyOld: false, legacyNew: true, users: true, other: true} {
		_, err := os.Stat(p)
		if got := err == nil; got != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), got, want)
		}
	}
	if got := names(t, path); got["q"] != 1 {
		t.Errorf("after the write: %v", got)
	}
}

func TestSymlinkWrittenThrough(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "dotfiles", "sshtrail.yaml")
	os.MkdirAll(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte(commentedConfig), 0o640)
	link := filepath.Join(root, "config", "config.yaml")
	os.MkdirAll(filepath.Dir(link), 0o700)
	const dest = "../dotfiles/sshtrail.yaml" // relative, as dotfile managers make them
	if err := os.Symlink(dest, link); err != nil {
		t.Fatal(err)
	}
	f := File{Path: link}
	if err := f.Put(Query{Name: "via-link", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Update("via-link", func(q *Query, _ bool) error { q.LastCount = 7; return nil }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced: %v %v", fi.Mode(), err)
	}
	if d, _ := os.Readlink(link); d != dest {
		t.Fatalf("link now points at %q", d)
	}
	if got := names(t, real); got["via-link"] != 1 {
		t.Fatalf("target holds %v", got)
	}
	checkKept(t, real)
	if q, err := f.Get("via-link"); err != nil || q.LastCount != 7 {
		t.Fatalf("read through link: %+v %v", q, err)
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want 0640", st.Mode().Perm())
	}
	// The lock guards the target, so writers naming the link and the
	// target directly exclude each other.
	if _, err := os.Stat(filepath.Join(root, "dotfiles", ".sshtrail.yaml.lock")); err != nil {
		t.Errorf("lock not next to the target: %v", err)
	}
	for _, d := range []string{filepath.Dir(real), filepath.Dir(link)} {
		if tm := temps(t, d); len(tm) != 0 {
			t.Errorf("temp files left: %v", tm)
		}
	}

	// A link to a config not yet written: the target is created.
	dangling := filepath.Join(root, "config", "new.yaml")
	os.Symlink(filepath.Join(root, "elsewhere", "new.yaml"), dangling)
	if err := (File{Path: dangling}).Put(Query{Name: "first", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("dangling link replaced: %v", err)
	}
	if got := names(t, filepath.Join(root, "elsewhere", "new.yaml")); got["first"] != 1 {
		t.Fatalf("new target holds %v", got)
	}
}

func TestModeKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(commentedConfig), 0o600)
	os.Chmod(path, 0o640)
	f := File{Path: path}
	if err := f.Put(Query{Name: "a", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("0640 config now %v", st.Mode().Perm())
	}

	// The umask must not decide: under 000 a new file would be 0666.
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	fresh := filepath.Join(dir, "sub", "fresh.yaml")
	if err := (File{Path: fresh}).Put(Query{Name: "a", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o600 {
		t.Errorf("new config %v under umask 000, want 0600", st.Mode().Perm())
	}
	if st, _ := os.Stat(filepath.Join(dir, "sub", ".fresh.yaml.lock")); st == nil || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("lock file mode %v", st)
	}
	if err := f.Put(Query{Name: "b", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("0640 config now %v under umask 000", st.Mode().Perm())
	}
}

func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte(commentedConfig), 0o600)
	lf, err := os.OpenFile(filepath.Join(dir, ".config.yaml.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { lockTimeout = d }(lockTimeout)
	lockTimeout = 200 * time.Millisecond
	f := File{Path: path}
	err = f.Put(Query{Name: "a", Query: "*"})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("want ErrLocked naming the config, got %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != commentedConfig {
		t.Fatal("config changed without the lock")
	}

	// A writer waits for the lock rather than failing at once.
	lockTimeout = 10 * time.Second
	done := make(chan error)
	go func() { done <- f.Put(Query{Name: "a", Query: "*"}) }()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("wrote while the lock was held (%v)", err)
	default:
	}
	syscall.Flock(int(lf.Fd()), syscall.LOCK_UN)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := names(t, path); got["a"] != 1 {
		t.Fatalf("after the wait: %v", got)
	}
}

func TestUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	f := File{Path: path}
	created := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	if err := f.Put(Query{Name: "q", Query: "user:root", Created: created}); err != nil {
		t.Fatal(err)
	}
	err := f.Update("q", func(q *Query, exists bool) error {
		if !exists || q.Query != "user:root" || !q.Created.Equal(created) {
			t.Errorf("Update saw %+v exists=%v", q, exists)
		}
		q.LastCount = 5
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := f.Get("q"); q.LastCount != 5 || q.Query != "user:root" {
		t.Fatalf("after update: %+v", q)
	}
	sentinel := errors.New("gone")
	before, _ := os.ReadFile(path)
	if err := f.Update("missing", func(q *Query, exists bool) error {
		if exists || q.Name != "missing" {
			t.Errorf("missing query seen as %+v exists=%v", q, exists)
		}
		return sentinel
	}); !errors.Is(err, sentinel) {
		t.Fatalf("fn error not returned: %v", err)
	}
	if err := f.Update("q", func(q *Query, _ bool) error { q.Name = "other"; return nil }); err == nil {
		t.Fatal("Update renamed a query")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a failed Update wrote the file")
	}
}
