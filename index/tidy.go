package index

import (
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Segment files merged away are deleted by Bleve's persister when it next
// waits for work, and only if no snapshot still holds them. A process that
// compacts and exits (every large import) left them behind until some later
// write: after a 1M-line import the sessions index held 208 MB of files of
// which 97 MB were live. tidy gives the persister a reason to run once more
// and waits for the dead files to go, briefly.
const tidyWait = time.Second

func tidy(idx bleve.Index, dir string) {
	deadline := time.Now().Add(tidyWait)
	nudged := false
	for time.Now().Before(deadline) {
		if staleSegmentFiles(idx, dir) == 0 {
			return
		}
		if !nudged {
			// A write makes a new snapshot; persisting it ends with the
			// cleanup of files no snapshot uses.
			_ = idx.SetInternal([]byte("tidied"), []byte(strconv.FormatInt(time.Now().Unix(), 10)))
			nudged = true
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// staleSegmentFiles counts segment files on disk that the current snapshot
// does not use.
func staleSegmentFiles(idx bleve.Index, dir string) int {
	snap, err := snapshotOf(idx)
	if err != nil {
		return 0
	}
	defer snap.Close()
	live := map[string]bool{}
	for _, ss := range snap.Segments() {
		if p, ok := ss.Segment().(segment.PersistedSegment); ok {
			live[filepath.Base(p.Path())] = true
		}
	}
	files, err := os.ReadDir(filepath.Join(dir, "store"))
	if err != nil {
		return 0
	}
	n := 0
	for _, f := range files {
		if filepath.Ext(f.Name()) == ".zap" && !live[f.Name()] {
			n++
		}
	}
	return n
}
