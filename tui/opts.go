package tui

import (
	"time"

	"github.com/sshtrail/sshtrail/importers"
)

func importersOptions(loc *time.Location) importers.Options {
	return importers.Options{Location: loc}
}
