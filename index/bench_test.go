package index

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// synthEvents makes n auth-log-like events: the shape of a real sshd stream
// (failures, accepts, sessions) over a few hosts, users and sources.
func synthEvents(n int, seed int64) []*schema.Event {
	r := rand.New(rand.NewSource(seed))
	hosts := []string{"bastion01", "db02", "build07", "web01", "web02", "vcs01"}
	users := []string{"root", "admin", "alice", "bob", "deploy", "postgres", "oracle", "test", "ubuntu", "git"}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*schema.Event, n)
	for i := range out {
		h, u := hosts[r.Intn(len(hosts))], users[r.Intn(len(users))]
		src := fmt.Sprintf("198.51.%d.%d", r.Intn(255), r.Intn(255))
		port := 1024 + r.Intn(60000)
		pid := 1000 + r.Intn(50000)
		ev := &schema.Event{TS: base.Add(time.Duration(i) * 250 * time.Millisecond), Format: schema.FormatAuthlog, File: "/case/auth.log",
			Line: int64(i + 1), Host: h, Program: "sshd", PID: pid, User: u, SrcIP: src, SrcPort: port}
		switch r.Intn(4) {
		case 0:
			ev.Action, ev.Outcome, ev.Method = schema.ActionAuthSuccess, schema.OutcomeSuccess, "publickey"
			ev.KeyType, ev.KeyFP = "ED25519", "SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k"
			ev.Message = fmt.Sprintf("Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k", u, src, port)
		case 1:
			ev.Action, ev.Outcome = schema.ActionDisconnect, schema.OutcomeFailure
			ev.Message = fmt.Sprintf("Connection closed by authenticating user %s %s port %d [preauth]", u, src, port)
		default:
			ev.Action, ev.Outcome, ev.Method = schema.ActionAuthFailure, schema.OutcomeFailure, "password"
			ev.Message = fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2", u, src, port)
		}
		ev.ID = schema.EventID("bench", int64(i), ev.Message)
		out[i] = ev
	}
	return out
}

func BenchmarkIngest(b *testing.B) {
	const n = 100000
	evs := synthEvents(n, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
		s, err := OpenOrCreate(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		w := s.NewWriter(0)
		for _, ev := range evs {
			w.Add(ev)
		}
		if _, err := w.Close(); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkQuery(b *testing.B) {
	const n = 100000
	s, err := OpenOrCreate(filepath.Join(b.TempDir(), "q"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	w := s.NewWriter(0)
	for _, ev := range synthEvents(n, 2) {
		w.Add(ev)
	}
	if _, err := w.Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct{ name, q string }{
		{"term", "user:alice"},
		{"boolean", "user:alice action:auth_success host:db02"},
		{"cidr", "src_ip:198.51.7.0/24"},
		{"phrase", `"Failed password"`},
	} {
		b.Run(c.name+"/page", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Search(ctx, Query{Q: c.q}, Page{Size: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("facets", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Facets(ctx, Query{}, []string{"user", "src_ip", "host", "action"}, 10); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("all/page", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Search(ctx, Query{}, Page{Size: 50}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEventDoc is the document builder alone (no analysis, no Bleve
// batch): what the field table's accessors cost per event.
func BenchmarkEventDoc(b *testing.B) {
	s, err := OpenOrCreate(filepath.Join(b.TempDir(), "d"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	evs := synthEvents(10000, 3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.build.event(evs[i%len(evs)], uint64(i))
	}
}
