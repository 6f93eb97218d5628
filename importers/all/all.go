// Package all registers every importer: import it for its side effect.
package all

import (
	_ "github.com/sshtrail/sshtrail/importers/auditd"
	_ "github.com/sshtrail/sshtrail/importers/authlog"
	_ "github.com/sshtrail/sshtrail/importers/journal"
	_ "github.com/sshtrail/sshtrail/importers/unified"
	_ "github.com/sshtrail/sshtrail/importers/zeek"
)
