package sessions

import (
	"testing"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// rita (a real internet-facing host, one hour): every ssh.log uid has its
// conn.log record (822 joined, whichever file comes first), and 18 SSH conn
// records that never reached the SSH analyzer stay visible on their own.
// The conn.log names the cluster node (_node_name), the ssh.log does not.
func TestCorpusZeekUIDJoin(t *testing.T) {
	sshEv := importFile(t, "zeek", "testdata/rita-ssh.2024-04-19-01.log.gz", importers.Options{})
	connEv := importFile(t, "zeek", "testdata/rita-conn.2024-04-19-01.log.gz", importers.Options{})
	if len(sshEv) != 822 || sshEv[0].ZeekUID == "" {
		t.Skipf("zeek importer: %d ssh.log events, uid %q (needs the uid on ssh.log records)", len(sshEv), sshEv[0].ZeekUID)
	}
	for _, order := range [][]*schema.Event{append(append([]*schema.Event{}, sshEv...), connEv...), append(append([]*schema.Event{}, connEv...), sshEv...)} {
		ss := Build(order, Options{})
		joined, connOnly := 0, 0
		var first schema.Session
		for _, s := range ss {
			switch {
			case len(s.Sources) == 2 && len(s.Events) == 2:
				joined++
			case len(s.Sources) == 1 && s.Sources[0] == schema.FormatZeekConn:
				connOnly++
			}
			if s.SrcIP == "197.199.224.52" && s.SrcPort == 34188 {
				first = s
			}
		}
		if len(ss) != 840 || joined != 822 || connOnly != 18 {
			t.Errorf("%d sessions, joined %d (want 822), conn-only %d (want 18)", len(ss), joined, connOnly)
		}
		if first.DstIP != "64.225.56.201" || first.Duration != 3.150262 || first.Outcome != "unknown" ||
			first.End.Sub(first.Start).Seconds() < 3.15 || first.Host != "" {
			t.Errorf("uid ChuESt1b7vFoOjz7Fc = %+v", first)
		}
	}
}
