package authlog

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// A disconnect is a success only when its connection logged in: on the
// RHEL 7 secure log, pid 2805 accepts drewr and its privsep child 2809
// logs the disconnect with neither that pid nor a port (old OpenSSH);
// 116.31.116.27's pre-auth disconnects stay failures.
func TestDisconnectJudgedByConnection(t *testing.T) {
	f, err := os.Open("testdata/elastic-secure-rhel7.head.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := importers.FromReader("secure", f, time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var stats importers.Stats
	got := map[int64]string{}
	err = Importer{}.Import(context.Background(), src, importers.Options{Year: 2017}, &stats, func(ev *schema.Event) error {
		if ev.Action == schema.ActionDisconnect {
			got[ev.Line] = ev.Outcome
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int64]string{38: "failure", 81: "failure", 119: "success", 122: "failure"} {
		if got[line] != want {
			t.Errorf("line %d: outcome %q, want %q", line, got[line], want)
		}
	}
}
