package journal

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// FuzzJournalRecord feeds one record (or a few lines of one) to the importer:
// it must never panic, and every line is either an event, ignored or
// malformed.
func FuzzJournalRecord(f *testing.F) {
	f.Add([]byte(`{"__REALTIME_TIMESTAMP":"1773459612000000","SYSLOG_IDENTIFIER":"sshd","_PID":"7","MESSAGE":"Accepted password for bob from 198.51.100.21 port 41100 ssh2"}`))
	f.Add([]byte(`{"__REALTIME_TIMESTAMP":"1","SYSLOG_IDENTIFIER":"sshd","MESSAGE":[70,97,105,108,27]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseRecord(b)
		src, err := importers.FromReader("fuzz.json", bytes.NewReader(b), time.Time{})
		if err != nil {
			return
		}
		st := &importers.Stats{}
		n := 0
		err = Importer{}.Import(context.Background(), src, importers.Options{}, st, func(ev *schema.Event) error {
			if ev.Format != schema.FormatJournal || ev.ID == "" || ev.Action == "" {
				t.Fatalf("bad event %+v", ev)
			}
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != st.Events {
			t.Fatalf("%d events emitted, %d counted", n, st.Events)
		}
	})
}
