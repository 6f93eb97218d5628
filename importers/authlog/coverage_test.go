package authlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"

	"github.com/sshtrail/sshtrail/importers/sshd"
)

// TestCorpusCoverage runs every real auth log of the shared corpus through
// the importer and fails if fewer than 98% of the sshd lines get a specific
// action. It lists the lines that did not, so they can be added.
func TestCorpusCoverage(t *testing.T) {
	dir := corpusDir()
	if dir == "" {
		t.Skip("shared corpus not present")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	total, specific := 0, 0
	for _, f := range files {
		if strings.HasSuffix(f, ".annotated") || strings.HasSuffix(f, ".md") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		evs, st := run(t, filepath.Base(f), data, importers.Options{})
		seen := map[int64]bool{}
		for _, ev := range evs {
			if !sshd.KeepUnknown(ev.Program) || seen[ev.Line] {
				continue
			}
			seen[ev.Line] = true
			total++
			if ev.Action != "other" {
				specific++
			} else {
				t.Logf("other: %s:%d: %s", filepath.Base(f), ev.Line, ev.Message)
			}
		}
		// sshd lines whose header did not parse count against coverage too.
		for _, s := range st.Samples["malformed"] {
			t.Logf("malformed: %s", s)
		}
		for i, l := range lines {
			if seen[int64(i+1)] {
				continue
			}
			if strings.Contains(l, "sshd[") || strings.Contains(l, "[sshd]") || strings.Contains(l, " sshd ") || strings.Contains(l, "sshd(pam_unix)") {
				if _, ok := parseHeader(l, time.UTC); !ok {
					total++
					t.Logf("unparsed sshd line: %s:%d: %q", filepath.Base(f), i+1, l)
				}
			}
		}
	}
	pct := 100 * float64(specific) / float64(total)
	t.Logf("sshd lines: %d, specific action: %d (%.2f%%)", total, specific, pct)
	if pct < 98 {
		t.Errorf("coverage %.2f%% < 98%%", pct)
	}
}
