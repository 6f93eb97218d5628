package detect

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// benchEvents generates n hand-made events shaped like a busy case: 60%
// failed guesses from 500 sources, 20% logons of 300 users on 50 hosts,
// 10% session closes, 10% Zeek conn records.
func benchEvents(n int) []*schema.Event {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*schema.Event, 0, n)
	for i := 0; i < n; i++ {
		ts := base.Add(time.Duration(i) * 3 * time.Second)
		host := fmt.Sprintf("srv%02d", i%50)
		ev := &schema.Event{ID: schema.EventID("bench", int64(i), ""), TS: ts, Format: schema.FormatAuthlog, Host: host, PID: 10000 + i}
		switch r := i % 10; {
		case r < 6:
			ev.Action, ev.Outcome, ev.Method = schema.ActionAuthFailure, schema.OutcomeFailure, "password"
			ev.User = fmt.Sprintf("user%d", i%37)
			ev.SrcIP = fmt.Sprintf("203.0.%d.%d", (i/7)%2, (i/3)%250)
			ev.Message = "Failed password for " + ev.User + " from " + ev.SrcIP + " port 4242 ssh2"
		case r < 8:
			ev.Action, ev.Outcome, ev.Method = schema.ActionAuthSuccess, schema.OutcomeSuccess, "publickey"
			ev.User = fmt.Sprintf("u%d", i%300)
			ev.SrcIP = fmt.Sprintf("10.0.%d.%d", i%3, i%200)
			ev.KeyFP = fmt.Sprintf("SHA256:k%d", i%300)
			if i%1000 == 7 {
				ev.Method, ev.KeyFP = "password", ""
			}
			ev.Message = "Accepted " + ev.Method + " for " + ev.User + " from " + ev.SrcIP + " port 4242 ssh2"
		case r < 9:
			ev.Action, ev.Outcome, ev.PID = schema.ActionSessionClose, schema.OutcomeSuccess, 10000+i-2
			ev.Message = "pam_unix(sshd:session): session closed"
		default:
			ev.Format, ev.Host, ev.Action, ev.Outcome = schema.FormatZeekConn, "sensor", schema.ActionConnection, schema.OutcomeUnknown
			ev.SrcIP, ev.DstIP, ev.DstPort = fmt.Sprintf("10.0.1.%d", i%200), fmt.Sprintf("10.0.2.%d", i%50), []int{22, 3389, 443}[i%3]
			ev.Duration, ev.BytesOut = float64(i%5000), int64(i%7)<<20
		}
		out = append(out, ev)
	}
	return out
}

func BenchmarkDetect(b *testing.B) {
	const n = 200_000
	dir := filepath.Join(b.TempDir(), "idx")
	s, err := index.OpenOrCreate(dir)
	if err != nil {
		b.Fatal(err)
	}
	ingest(b, s, benchEvents(n))
	// Reopen so Bleve's background segment merging after the import does
	// not compete with the detection being measured.
	s.Close()
	if s, err = index.Open(dir); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cfg := DefaultConfig()
	cfg.Groups = map[string]AssetGroup{"unix_server": {Hosts: []string{"srv1*"}, AllowUsers: []string{"u1*"}}}
	b.ResetTimer()
	var fs []Finding
	for b.Loop() {
		if fs, err = Run(context.Background(), s, cfg, nil, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(fs)), "findings")
}
