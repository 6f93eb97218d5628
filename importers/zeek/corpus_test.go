package zeek

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// The Elastic-licensed Zeek samples may not be copied: read them from the
// shared corpus when it is there.
func TestElasticSamples(t *testing.T) {
	dir := "../../../shared/corpus/zeek"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared corpus not present")
	}
	for _, c := range []struct {
		file    string
		events  int
		failure int
		clients int
	}{
		// One full record (auth_success false) and three scanner records with only
		// auth_attempts, direction and client.
		{"elastic-zeek-ssh.json", 4, 1, 4},
		{"elastic-zeek-ssh-v1.json", 1, 0, 1},
	} {
		src, err := importers.Open(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		var evs []*schema.Event
		var st importers.Stats
		if !(Importer{}).Sniff(src.Head) {
			t.Fatalf("%s not sniffed", c.file)
		}
		Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(e *schema.Event) error { evs = append(evs, e); return nil })
		src.Close()
		fails, clients := 0, 0
		for _, e := range evs {
			if e.Format != schema.FormatZeekSSH {
				t.Fatalf("%s: format %s", c.file, e.Format)
			}
			if e.Outcome == schema.OutcomeFailure {
				fails++
			}
			if e.Client != "" {
				clients++
			}
		}
		if len(evs) != c.events || fails != c.failure || clients != c.clients || st.Malformed != 0 {
			t.Fatalf("%s: %d events, %d failures, %d clients, %d malformed", c.file, len(evs), fails, clients, st.Malformed)
		}
	}
}
