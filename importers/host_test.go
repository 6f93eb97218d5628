package importers

import (
	"strings"
	"testing"
)

// Where a host comes from when the records name none. Paths as cases lay
// them out, and the real file names of the corpora (go-libaudit, wazuh).
func TestHostFor(t *testing.T) {
	for _, c := range []struct {
		path, flag, host, rule string
	}{
		{"case/mbp-ana/system.log", "", "mbp-ana", "folder"},
		{"case/mbp-ana/system.log", "ana-laptop", "ana-laptop", "--host"},
		{"/cases/42/db02.example.com/audit.log.1", "", "db02.example.com", "folder"},
		{"/cases/42/logs/db02.example.com.log", "", "db02.example.com", "file name"},
		{"/cases/42/logs/host.example.com.log", "", "host.example.com", "file name"},
		{"/cases/42/logs/system.log", "", "", "no host"},
		{"/cases/42/logs/audit.log", "", "", "no host"},
		{"testdata/go-libaudit-audit-rhel6.log", "", "", "no host"},
		{"testdata/wazuh-macos-sshd-syslog-style.log", "", "", "no host"},
		{"sample-data/case/macdev01/macdev01-sshd.ndjson", "", "macdev01", "folder"},
		{"/tmp/export/mbp-ana-sshd.ndjson", "", "mbp-ana", "file name"},
		{"/evidence/2026-03-14/mbp-ana_unified.txt.gz", "", "mbp-ana", "file name"},
		{"-", "", "", "stdin"},
	} {
		h, rule := HostFor(c.path, c.flag)
		if h != c.host || !strings.Contains(rule, c.rule) {
			t.Errorf("%s (--host %q): %q %q, want %q by %s", c.path, c.flag, h, rule, c.host, c.rule)
		}
	}
}
