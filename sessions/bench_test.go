package sessions

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// genEvents makes n synthetic events (hand-made, for benchmarks): 50 hosts
// under brute force (4 failures and a disconnect per connection), and
// internal logins with sudo, Zeek ssh+conn records and closes, interleaved
// the way one host's auth log interleaves its pids.
func genEvents(n int) []*schema.Event {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*schema.Event, 0, n)
	seq := 0
	add := func(e schema.Event) {
		seq++
		e.ID = schema.EventID("bench", int64(seq), "")
		if e.Format == "" {
			e.Format = schema.FormatAuthlog
		}
		out = append(out, &e)
	}
	pid := 1000
	for t := 0; len(out) < n; t++ {
		ts := base.Add(time.Duration(t) * 3 * time.Second)
		host := "srv" + strconv.Itoa(r.IntN(50))
		pid++
		if r.IntN(4) > 0 { // a brute-force connection
			ip := fmt.Sprintf("203.0.%d.%d", r.IntN(256), r.IntN(256))
			port := 1024 + r.IntN(60000)
			for i := range 4 {
				add(schema.Event{TS: ts.Add(time.Duration(i) * time.Second), Host: host, PID: pid, Program: "sshd",
					Action: schema.ActionAuthFailure, Outcome: schema.OutcomeFailure, User: "root", SrcIP: ip, SrcPort: port, Method: "password"})
			}
			add(schema.Event{TS: ts.Add(5 * time.Second), Host: host, PID: pid, Program: "sshd",
				Action: schema.ActionDisconnect, Outcome: schema.OutcomeFailure, SrcIP: ip, SrcPort: port})
			continue
		}
		user := "user" + strconv.Itoa(r.IntN(200))
		ip := fmt.Sprintf("10.0.%d.%d", r.IntN(4), r.IntN(250))
		port := 1024 + r.IntN(60000)
		add(schema.Event{TS: ts, Host: host, PID: pid, Program: "sshd", Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess,
			User: user, SrcIP: ip, SrcPort: port, Method: "publickey", KeyFP: "SHA256:" + user})
		add(schema.Event{TS: ts, Host: host, PID: pid, Program: "sshd", Action: schema.ActionSessionOpen, Outcome: schema.OutcomeSuccess, User: user})
		add(schema.Event{TS: ts.Add(10 * time.Second), Host: host, Program: "sudo", Action: schema.ActionCommand, Outcome: schema.OutcomeSuccess, User: user, TTY: "pts/1", Command: "/usr/bin/id"})
		uid := "C" + strconv.Itoa(seq)
		add(schema.Event{TS: ts, Host: "zeek", Format: schema.FormatZeekSSH, Action: schema.ActionNetworkSession, Outcome: schema.OutcomeSuccess, ZeekUID: uid, SrcIP: ip, SrcPort: port, DstIP: "10.1.0." + host[3:], DstPort: 22})
		add(schema.Event{TS: ts, Host: "zeek", Format: schema.FormatZeekConn, Action: schema.ActionConnection, ZeekUID: uid, SrcIP: ip, SrcPort: port, DstIP: "10.1.0." + host[3:], DstPort: 22, Service: "ssh", Duration: 60, BytesIn: 1000, BytesOut: 2000})
		add(schema.Event{TS: ts.Add(60 * time.Second), Host: host, PID: pid, Program: "sshd", Action: schema.ActionSessionClose, Outcome: schema.OutcomeSuccess, User: user})
	}
	return out[:n]
}

func benchN(def int) int {
	if v, err := strconv.Atoi(os.Getenv("SSHTRAIL_BENCH_EVENTS")); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkBuild: per-source building and the cross-source join over 1M
// events in memory (Rebuild adds the Store.Scan decode on top).
func BenchmarkBuild(b *testing.B) {
	evs := genEvents(benchN(1_000_000))
	b.ResetTimer()
	var sessions int
	for b.Loop() {
		sessions = len(Build(evs, Options{}))
	}
	b.ReportMetric(float64(len(evs)*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(sessions), "sessions")
}

// BenchmarkPivot: Pivot latency per kind on a store of SSHTRAIL_BENCH_EVENTS
// events (default 200k; the target is p50 <= 100 ms at 1M). "root"
// is the worst case: the brute-forced account, 3/4 of all events.
func BenchmarkPivot(b *testing.B) {
	ctx := context.Background()
	st := openStore(b)
	evs := genEvents(benchN(200_000))
	t0 := time.Now()
	ingest(b, st, evs)
	ingestTook := time.Since(t0)
	t0 = time.Now()
	stats, err := Rebuild(ctx, st, Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d events: ingest %v, rebuild %v (%d sessions, %.0f events/s scanned+built+stored)",
		len(evs), ingestTook.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), stats.Sessions,
		float64(stats.Events)/time.Since(t0).Seconds())
	for _, k := range [][2]string{{"user", "user7"}, {"ip", "10.0.1.20"}, {"host", "srv3"}, {"user", "root"}} {
		b.Run(k[0]+"="+k[1], func(b *testing.B) {
			var lat []time.Duration
			var card *PivotCard
			for b.Loop() {
				t := time.Now()
				if card, err = Pivot(ctx, st, k[0], k[1]); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(card.Events), "events")
		})
	}
}
