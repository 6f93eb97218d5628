package saved

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// Writing the config, safely against other writers and crashes:
//
//   - Every change is one read-modify-write under an exclusive flock(2) on
//     a sidecar lock file (.NAME.lock, next to the file). The config itself
//     cannot carry the lock: the rename that replaces it replaces its inode,
//     and a writer waiting on the old inode would go on to overwrite the
//     newer file. The file is read only once the lock is held, so no save
//     is computed from a copy another writer has since replaced.
//   - The new content goes to a temp file in the same directory, fsynced,
//     then renamed over the config; the directory is fsynced after, so a
//     save reported done survives a power cut. Readers never take the
//     lock: they see the old file or the new one, never a part.
//   - A config that is a symlink is written through: the target is
//     replaced, and the link stays a link.
//   - The new file keeps the old one's mode (0600 when there was none):
//     the config holds asset lists, and a save must never widen who reads it.
//   - Temp files are named .NAME.tmp-PID-RANDOM and are only ever created
//     by a writer holding the lock, so any one a lock holder finds belongs
//     to a writer that died before its rename (kill -9, power cut): it is
//     removed. The PID is in the name for whoever finds one by hand; it
//     is not trusted to tell whether the writer lives (PIDs are reused, and
//     differ across containers sharing a directory): the lock says that.

// ErrLocked reports that another writer kept the config locked too long.
var ErrLocked = errors.New("config is locked by another writer")

// lockTimeout bounds the wait for another writer: saves take milliseconds,
// so a lock held this long belongs to a hung process, and the user should
// hear so rather than wait forever. A variable for tests.
var lockTimeout = 10 * time.Second

// testHookBeforeRename, set only by tests, runs once the temp file is
// written and synced, just before it replaces the config: the moment a
// crash would leave a temp file behind.
var testHookBeforeRename func(tmp string)

// legacyTemp matches the temp files of versions that wrote without the
// lock (os.CreateTemp's ".config-*.yaml"): digits only, so a user's own
// ".config-old.yaml" is never taken for one.
var legacyTemp = regexp.MustCompile(`^\.config-[0-9]+\.yaml$`)

// legacyAge is how old a legacy temp file must be before it is removed: a
// writer of such a version takes no lock, so only age says it is gone.
const legacyAge = time.Minute

// update runs edit on the config's current content under the lock and
// writes the result. An error from edit writes nothing.
func (f File) update(edit func(doc *yaml.Node) error) error {
	target, err := resolve(f.Path)
	if err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	unlock, err := lockFor(f.Path, target)
	if err != nil {
		return err
	}
	defer unlock()
	removeStaleTemps(target)
	doc, err := f.loadFrom(target)
	if err != nil {
		return err
	}
	if err := edit(doc); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	if err := replaceFile(target, buf.Bytes()); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	return nil
}

// resolve returns the file a write to path must replace: path itself, or
// the end of its chain of symlinks, even when that end does not exist yet
// (filepath.EvalSymlinks refuses a dangling link, and replacing the link
// with a regular file would silently fork the config).
func resolve(path string) (string, error) {
	for range 64 {
		real, err := filepath.EvalSymlinks(path)
		if err == nil {
			return real, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		fi, lerr := os.Lstat(path)
		if lerr != nil || fi.Mode()&fs.ModeSymlink == 0 {
			// A new file (or one whose directory is still to be
			// made): written where it was named.
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", fmt.Errorf("too many levels of symbolic links")
}

// lockFor takes the exclusive lock guarding target (named, for the user,
// by the path they gave), waiting up to lockTimeout. It returns the
// unlock.
func lockFor(name, target string) (func(), error) {
	path := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".lock")
	lf, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrPermission) {
		// flock needs no write access: a lock file made by another
		// user sharing the directory still works opened read-only.
		lf, err = os.Open(path)
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: lock: %w", name, err)
	}
	fd := int(lf.Fd())
	// Polled, not a blocking flock: a blocked flock cannot be given up
	// on at the deadline.
	deadline := time.Now().Add(lockTimeout)
	wait := time.Millisecond
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			lf.Close()
			return nil, fmt.Errorf("config %s: lock %s: %w", name, path, err)
		}
		if time.Now().After(deadline) {
			lf.Close()
			return nil, fmt.Errorf("config %s: %w: %s held for over %v (a hung sshtrail? the file is unchanged; try again)", name, ErrLocked, path, lockTimeout)
		}
		// Jittered so that many waiters do not retry in step.
		time.Sleep(wait/2 + rand.N(wait))
		wait = min(2*wait, 50*time.Millisecond)
	}
	return func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		lf.Close()
	}, nil
}

// tempPrefix starts the name of every temp file written for target.
func tempPrefix(target string) string {
	return "." + filepath.Base(target) + ".tmp-"
}

// removeStaleTemps removes the temp files crashed writers left next to
// target. The caller holds the lock, so no live writer owns one. Failures
// are ignored: a leftover is clutter, and the save must still go ahead.
func removeStaleTemps(target string) {
	dir := filepath.Dir(target)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(target)
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, prefix) && e.Type().IsRegular():
			os.Remove(filepath.Join(dir, name))
		case legacyTemp.MatchString(name) && e.Type().IsRegular():
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > legacyAge {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
}

// replaceFile atomically and durably replaces target with data, keeping
// target's mode and, where allowed, its owner.
func replaceFile(target string, data []byte) (err error) {
	dir := filepath.Dir(target)
	mode := fs.FileMode(0o600)
	old, statErr := os.Stat(target)
	if statErr == nil {
		mode = old.Mode().Perm()
	} else if !errors.Is(statErr, fs.ErrNotExist) {
		return statErr
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(target)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if st, ok := statOwner(old); ok && (st.Uid != uint32(os.Geteuid()) || st.Gid != uint32(os.Getegid())) {
		// Best effort (only root may give a file away): a failure
		// leaves it ours, which narrows who can read it, never widens.
		tmp.Chown(int(st.Uid), int(st.Gid))
	}
	// Explicit, as the umask would otherwise decide, and after the chown,
	// which may clear mode bits.
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// Synced before the rename: otherwise a crash can leave the new name
	// pointing at a file whose data never reached the disk.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename(tmp.Name())
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	renamed = true
	return syncDir(dir)
}

// statOwner returns the owner of a file that exists.
func statOwner(fi fs.FileInfo) (*syscall.Stat_t, bool) {
	if fi == nil {
		return nil, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return st, ok
}

// syncDir makes a rename in dir durable: the rename is a change to the
// directory, not to either file.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		// Some filesystems cannot sync a directory, and say so with
		// EINVAL; there is nothing more to do there.
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
