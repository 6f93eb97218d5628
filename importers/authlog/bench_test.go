package authlog

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// handmadeAuthLog builds a realistic auth.log of n lines from templates of
// real line shapes (brute force, a login, sudo, noise from other programs).
func handmadeAuthLog(n int) []byte {
	tmpl := []string{
		"sshd[%p]: Failed password for root from %a port %o ssh2",
		"sshd[%p]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%a  user=root",
		"sshd[%p]: Invalid user admin%p from %a port %o",
		"sshd[%p]: Failed password for invalid user admin%p from %a port %o ssh2",
		"sshd[%p]: Received disconnect from %a port %o:11: Bye Bye [preauth]",
		"sshd[%p]: Disconnected from invalid user admin%p %a port %o [preauth]",
		"sshd[%p]: Connection closed by authenticating user root %a port %o [preauth]",
		"sshd[%p]: Accepted publickey for alice from %a port %o ssh2: ED25519 SHA256:Ldm7PWKr2ghhOMHTtYHchxhhG1uiaBnKu+ctYW3r8Vg",
		"sshd[%p]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
		"sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
		"CRON[%p]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
		"sshd[%p]: Connection from %a port %o on 10.0.0.5 port 22 rdomain \"\"",
		"systemd-logind[812]: New session %p of user alice.",
		"sshd[%p]: pam_unix(sshd:session): session closed for user alice",
	}
	var b bytes.Buffer
	t := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		t = t.Add(time.Second)
		b.WriteString(t.Format(time.Stamp))
		b.WriteString(" web-01 ")
		s := tmpl[i%len(tmpl)]
		pid := strconv.Itoa(10000 + i/7)
		addr := "203.0." + strconv.Itoa(i%250) + "." + strconv.Itoa(i/250%250)
		port := strconv.Itoa(1024 + i%60000)
		for j := 0; j < len(s); j++ {
			if s[j] == '%' && j+1 < len(s) {
				switch s[j+1] {
				case 'p':
					b.WriteString(pid)
				case 'a':
					b.WriteString(addr)
				case 'o':
					b.WriteString(port)
				}
				j++
				continue
			}
			b.WriteByte(s[j])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkParse: lines/s through the whole importer (line reader, header,
// year, classifier, event ids) on a 100k-line generated auth.log.
func BenchmarkParse(b *testing.B) {
	const lines = 100000
	data := handmadeAuthLog(lines)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	events := 0
	for b.Loop() {
		src, err := importers.FromReader("auth.log", bytes.NewReader(data), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC))
		if err != nil {
			b.Fatal(err)
		}
		var st importers.Stats
		err = Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(*schema.Event) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
