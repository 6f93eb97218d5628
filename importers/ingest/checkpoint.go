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
// A re-run parses the file again but hands the first Events events to
// nobody: parsing is a small share of import time, and it keeps every
// format's own state (Zeek headers, the syslog year, auditd record groups)
// right without a resumable parser per format. A grown log keeps its
// identity (the stored prefix still matches), so its old events keep their
// ids and only the appended part is indexed.
type checkpoint struct {
	Identity string    `json:"identity"`
	Prefix   int       `json:"prefix"` // bytes of the head the identity hashes
	Events   int       `json:"events"`
	Done     bool      `json:"done"`
	Size     int64     `json:"size"`
	ModTime  time.Time `json:"mod_time"`
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

// resume decides how much of src is already imported, and pins src's
// identity to the stored one when the file only grew.
func resume(store *index.Store, src *importers.Source, key string) (skip int, unchanged bool, c checkpoint) {
	c = checkpoint{Identity: src.Identity, Prefix: len(src.Head)}
	if src.Path == "-" {
		return 0, false, c
	}
	old, ok := loadCheckpoint(store, key)
	if !ok || old.Prefix > len(src.Head) {
		return 0, false, c
	}
	sum := sha256.Sum256(src.Head[:old.Prefix])
	if hex.EncodeToString(sum[:16]) != old.Identity {
		return 0, false, c // a different file now lives at this path
	}
	src.Identity = old.Identity
	c.Identity, c.Prefix = old.Identity, old.Prefix
	if st, err := os.Stat(src.Path); err == nil && old.Done && st.Size() == old.Size && st.ModTime().Equal(old.ModTime) {
		return old.Events, true, old
	}
	return old.Events, false, c
}

func (c checkpoint) encode() []byte {
	b, _ := json.Marshal(c)
	return b
}
