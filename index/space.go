package index

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// A full disk must end a command with an error that says so, within
// seconds. Bleve's merger retries a failed merge forever (ForceMerge never
// returned on a full 105 MiB tmpfs: 28 minutes, no output), and a write
// after a failed persist panicked inside zapx (Close → tidy → SetInternal).
// So the store watches Bleve's asynchronous errors, stops writing once one
// is an out-of-space error, and every write path wraps ENOSPC with where it
// happened and how much room is left.

// asyncErrorCallback is the name Bleve's config uses for errorWatch.
const asyncErrorCallback = "sshtrail"

// watched maps an index path to the store that opened it.
var watched sync.Map // string -> *Store

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		for p := filepath.Clean(path); ; p = filepath.Dir(p) {
			if v, ok := watched.Load(p); ok {
				v.(*Store).asyncError(err)
				return
			}
			if p == filepath.Dir(p) {
				return
			}
		}
	}
}

// asyncError notes an error from Bleve's persister or merger. Only
// out-of-space errors stop the store; others are retried by Bleve.
func (s *Store) asyncError(err error) {
	if !isNoSpace(err) {
		return
	}
	s.failMu.Lock()
	if s.failed == nil {
		s.failed = s.noSpace("writing the index", err)
	}
	s.failMu.Unlock()
}

// Failed is the out-of-space error that stopped the store, if any.
func (s *Store) Failed() error {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return s.failed
}

// fail records err when it is a full disk and returns it wrapped.
func (s *Store) fail(what string, err error) error {
	if err == nil || !isNoSpace(err) {
		return err
	}
	werr := s.noSpace(what, err)
	s.failMu.Lock()
	if s.failed == nil {
		s.failed = werr
	}
	s.failMu.Unlock()
	return werr
}

// isNoSpace: ENOSPC and EDQUOT, however deep Bleve wrapped them (some of
// its errors carry only the text).
func isNoSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	var se *scorch.ScorchError
	if errors.As(err, &se) {
		return containsNoSpace(se.Error())
	}
	return containsNoSpace(err.Error())
}

func containsNoSpace(s string) bool {
	return strings.Contains(s, syscall.ENOSPC.Error()) || strings.Contains(s, syscall.EDQUOT.Error())
}

// ErrNoSpace is wrapped by every out-of-space error of the store.
var ErrNoSpace = errors.New("no space left on device")

func (s *Store) noSpace(what string, err error) error {
	return fmt.Errorf("%w while %s (%s free in %s; what was committed before is kept, re-run the import once there is room): %v",
		ErrNoSpace, what, mib(FreeBytes(s.dir)), s.dir, err)
}

// FreeBytes is the space an unprivileged writer has left where dir lives
// (-1 if unknown).
func FreeBytes(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

func mib(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
