package sessions

import (
	"testing"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/index"
)

// Zeek ssh.log records join the conn.log record with the same uid,
// whichever file is imported first.
func TestCorpusZeekUIDJoin(t *testing.T) {
	for _, c := range []struct {
		name             string
		ssh, conn        string
		joined, connOnly int
	}{
		{"basic", "testdata/base.protocols.ssh.basic.ssh.log", "testdata/base.protocols.ssh.basic.conn.log", 22, 0},
		// 5 port-22 connections never reached the SSH analyzer: visible as conn-only sessions.
		{"half-duplex-client", "testdata/base.protocols.ssh.half-duplex-client.ssh.log", "testdata/base.protocols.ssh.half-duplex-client.conn.log", 20, 5},
		{"rita", "testdata/rita-ssh.2024-04-19-01.log.gz", "testdata/rita-conn.2024-04-19-01.log.gz", 822, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			sshEv := importFile(t, "zeek", c.ssh, importers.Options{})
			connEv := importFile(t, "zeek", c.conn, importers.Options{})
			for _, order := range [][]*index.Event{append(append([]*index.Event{}, sshEv...), connEv...), append(append([]*index.Event{}, connEv...), sshEv...)} {
				ss := Build(order, Options{})
				joined, connOnly := 0, 0
				for _, s := range ss {
					switch {
					case len(s.Sources) == 2 && len(s.Events) == 2:
						joined++
					case len(s.Sources) == 1 && s.Sources[0] == index.FormatZeekConn:
						connOnly++
					}
				}
				if joined != c.joined || c.connOnly >= 0 && connOnly != c.connOnly {
					t.Errorf("joined %d (want %d), conn-only %d (want %d) of %d sessions", joined, c.joined, connOnly, c.connOnly, len(ss))
				}
			}
		})
	}
}
