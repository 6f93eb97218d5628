// Package sampledata carries the demo case inside the binary, so
// `sshtrail demo` works from any directory.
package sampledata

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

//go:embed case
var files embed.FS

// CaseYear is the year of the case's RFC 3164 timestamps.
const CaseYear = 2026

// Case is the demo case's files (root "case").
func Case() fs.FS { return files }

// Extract writes the case under dir and returns the case folder and its
// config file. File times are the day the case was collected, as the
// importers infer years from them.
func Extract(dir string) (caseDir, config string, err error) {
	collected := time.Date(2026, 3, 15, 8, 0, 0, 0, time.UTC)
	err = fs.WalkDir(files, "case", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			return err
		}
		return os.Chtimes(dst, collected, collected)
	})
	caseDir = filepath.Join(dir, "case")
	return caseDir, filepath.Join(caseDir, "sshtrail.yaml"), err
}
