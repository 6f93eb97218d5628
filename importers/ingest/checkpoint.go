package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/index"
)

// checkpoint is how far the import of one file got. It is committed with
// the batch holding the events it counts (index.Writer.Mark), so after a
// crash it never claims more than the index holds.
//
// A re-run parses the file again but hands the events already committed to
// nobody: parsing is a small share of import time, and it keeps every
// format's own state (Zeek headers, the syslog year, auditd record groups)
// right without a resumable parser per format. A grown log keeps its
// identity (the stored prefix still matches), so its old events keep their
// ids and only the appended part is indexed.
//
// What is committed is "every event from lines 1..Line, then the first
// Events events after them". A finished pass stores Line = the last line
// any event came from, Events = 0; a pass cut short (crash, interruption)
// stores the count. Line numbers, not byte offsets, because events carry
// their line (schema.Event.Line; the offset only goes into the id hash), and
// for a file that only grows the two are equivalent: line N starts at the
// same byte in every version of the file, because a final line without its
// newline is never handed out (importers.Source.HeldBack) and so never
// numbered early. Counting events alone, as checkpoints before Line did,
// lost the completed version of a half-written last line (2 of 70,000 on a
// log imported while it grew), and is fooled whenever the events a file's
// end produces change as it grows (auditd flushes open record groups at
// EOF in another order than once more records follow). Old checkpoints
// (Line 0) keep working: they skip Events events, as before.
type checkpoint struct {
	Identity string    `json:"identity"`
	Prefix   int       `json:"prefix"` // bytes of the head the identity hashes
	Events   int       `json:"events"` // committed events after Line (all of them when Line is 0)
	Line     int64     `json:"line,omitempty"`
	Total    int       `json:"total,omitempty"`  // events of the file at the last finished pass
	Offset   int64     `json:"offset,omitempty"` // decompressed bytes read at the last finished pass, up to the last complete line
	Held     int64     `json:"held,omitempty"`   // bytes of an unterminated last line held back then
	Done     bool      `json:"done"`
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mod_time"`
}

// present is how many events of the file the index holds.
func (c checkpoint) present() int {
	if c.Line == 0 {
		return c.Events
	}
	return c.Total
}

const checkpointEvery = 1000

func checkpointKey(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "ckpt/" + path
}

func loadCheckpoint(store *index.Store, key string) (checkpoint, bool) {
	var c checkpoint
	v, err := store.GetInternal(key)
	if err != nil || len(v) == 0 || json.Unmarshal(v, &c) != nil {
		return checkpoint{}, false
	}
	return c, true
}

// resume decides how much of src is already imported (base), and pins
// src's identity to the stored one when the file only grew. next is the
// checkpoint this pass starts from.
func resume(store *index.Store, src *importers.Source, key string, complete bool) (base checkpoint, unchanged bool, next checkpoint) {
	next = checkpoint{Identity: src.Identity, Prefix: len(src.Head)}
	if src.Path == "-" {
		return checkpoint{}, false, next
	}
	old, ok := loadCheckpoint(store, key)
	if !ok || old.Prefix > len(src.Head) {
		return checkpoint{}, false, next
	}
	sum := sha256.Sum256(src.Head[:old.Prefix])
	if hex.EncodeToString(sum[:16]) != old.Identity {
		return checkpoint{}, false, next // a different file now lives at this path
	}
	st, err := os.Stat(src.Path)
	if err == nil && src.Compression == "" && st.Size() < old.Offset {
		return checkpoint{}, false, next // cut shorter and rewritten: read it all again
	}
	src.Identity = old.Identity
	next.Identity, next.Prefix = old.Identity, old.Prefix
	if err == nil && old.Done && st.Size() == old.Size && st.ModTime().Equal(old.ModTime) && !(complete && old.Held > 0) {
		return old, true, old
	}
	return old, false, next
}

func (c checkpoint) encode() []byte {
	b, _ := json.Marshal(c)
	return b
}
