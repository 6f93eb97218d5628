package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sshtrail/sshtrail/index"
)

// A folder import sniffs every file by content: a saved `log show` capture
// named .txt is read (it was skipped by its name), and notes beside the
// logs are named as not recognised, never skipped silently.
func TestFolderSniffsEveryFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case", "mbp-ana")
	os.MkdirAll(dir, 0o700)
	capture, err := os.ReadFile("../unified/testdata/wazuh-macos-sshd-syslog-style.log")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "log-show.txt"), capture, 0o600)
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("# Case 42\n\nAna's MacBook, imaged 2026-03-15.\n"), 0o600)
	s, err := index.OpenOrCreate(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum := run(t, s, filepath.Dir(dir))
	if sum.Formats["unified"] == 0 {
		t.Fatalf("the .txt capture was not read: %+v", sum.Formats)
	}
	if len(sum.Unrecognised) != 1 || filepath.Base(sum.Unrecognised[0]) != "notes.md" {
		t.Fatalf("unrecognised %v, want notes.md named", sum.Unrecognised)
	}
}
