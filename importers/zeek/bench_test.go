package zeek

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

func connTSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2026-03-14-00-00-00\n")
	b.WriteString("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n")
	b.WriteString("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n")
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%d.%06d\tC%016x\t10.0.%d.%d\t%d\t10.0.2.20\t22\ttcp\tssh\t%.6f\t%d\t%d\tSF\tT\tT\t0\tShAdDaFf\t20\t3000\t18\t4000\t-\n",
			1773446400+i, r.Intn(1e6), r.Uint64(), r.Intn(255), r.Intn(255), 1024+r.Intn(60000), r.Float64()*100, r.Intn(1e6), r.Intn(1e6))
	}
	return b.Bytes()
}

func connJSON(n int) []byte {
	var b bytes.Buffer
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"_path":"conn","ts":%d.%06d,"uid":"C%016x","id.orig_h":"10.0.%d.%d","id.orig_p":%d,"id.resp_h":"10.0.2.20","id.resp_p":22,"proto":"tcp","service":"ssh","duration":%.6f,"orig_bytes":%d,"resp_bytes":%d,"conn_state":"SF","history":"ShAdDaFf"}`+"\n",
			1773446400+i, r.Intn(1e6), r.Uint64(), r.Intn(255), r.Intn(255), 1024+r.Intn(60000), r.Float64()*100, r.Intn(1e6), r.Intn(1e6))
	}
	return b.Bytes()
}

// benchImport times the importer alone: the generated log is built before
// the timer starts, and emit only counts.
func benchImport(b *testing.B, data []byte, n int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src, _ := importers.FromReader("conn.log", bytes.NewReader(data), time.Time{})
		var st importers.Stats
		got := 0
		Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(*schema.Event) error { got++; return nil })
		if got != n {
			b.Fatalf("%d events", got)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkConnTSV(b *testing.B)  { benchImport(b, connTSV(200000), 200000) }
func BenchmarkConnJSON(b *testing.B) { benchImport(b, connJSON(200000), 200000) }
