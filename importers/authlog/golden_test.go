package authlog

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the corpus goldens")

// Every event of every real auth log in testdata, every field, pinned:
// a change to the classifier shows as a diff of testdata/golden/*.jsonl to
// review, line by line ("no previously right field changes").
func TestCorpusGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.log")
	files = append(files, "testdata/fail2ban-sshd.annotated")
	if len(files) < 10 {
		t.Fatalf("%d corpus files", len(files))
	}
	for _, f := range files {
		evs, _ := runFile(t, f)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, ev := range evs {
			ev.File = filepath.Base(ev.File)
			if err := enc.Encode(ev); err != nil {
				t.Fatal(err)
			}
		}
		golden := filepath.Join("testdata", "golden", filepath.Base(f)+".jsonl")
		if *updateGolden {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./importers/authlog -run TestCorpusGolden -update)", err)
		}
		if !bytes.Equal(want, b.Bytes()) {
			t.Errorf("%s: events differ from %s (review the diff, then -update)", f, golden)
		}
	}
}
