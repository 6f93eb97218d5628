package unified

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// FuzzUnifiedText fuzzes the text-style line parser, then the whole
// importer over the same bytes (text, ndjson or a JSON array).
func FuzzUnifiedText(f *testing.F) {
	f.Add([]byte("2026-03-14 03:40:12.123456+0000 0x1a2b     Default     0x0                  1234   0    sshd: Accepted x"))
	f.Add([]byte("2026-03-14 03:40:12.123 Df sshd[1234:5678] Accepted x"))
	f.Add([]byte("2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: error: x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, kind := parseTextLine(b)
		if kind == kindRecord {
			if rec.Program == "" || !bytes.HasPrefix(b, []byte(rec.TSRaw)) || rec.PID < 0 {
				t.Fatalf("bad record %+v from %q", rec, b)
			}
		}
		src, err := importers.FromReader("fuzz.log", bytes.NewReader(b), time.Time{})
		if err != nil {
			return
		}
		st := &importers.Stats{}
		n := 0
		err = Importer{}.Import(context.Background(), src, importers.Options{Host: "h"}, st, func(ev *schema.Event) error {
			if ev.Format != schema.FormatUnified || ev.ID == "" || ev.Host == "" || ev.Action == "" || ev.TS.Location() != time.UTC {
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
