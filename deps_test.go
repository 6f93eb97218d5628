package sshtrail

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/sshtrail/sshtrail"

// allowed lists, for each package of the module, the module packages it may
// import directly (as in Go's own go/build/deps_test.go). A new package
// needs a line here: where it sits in the flow is a decision.
var allowed = map[string][]string{
	"":                  nil, // this file's package
	"schema":            nil,
	"importers":         {"schema"},
	"importers/sshd":    {"schema"},
	"importers/authlog": {"importers", "importers/sshd", "schema"},
	"importers/journal": {"importers", "importers/sshd", "schema"},
	"importers/unified": {"importers", "importers/sshd", "schema"},
	"importers/zeek":    {"importers", "schema"},
	"importers/auditd":  {"importers", "schema"},
	"importers/all":     {"importers/auditd", "importers/authlog", "importers/journal", "importers/unified", "importers/zeek"},
	"importers/ingest":  {"importers", "index", "schema"},
	"index":             {"schema"},
	"sessions":          {"index", "schema"},
	"saved":             {"index", "schema"},
	"detect":            {"index", "schema", "sessions", "saved"},
	"export":            {"schema"},
	"intake":            {"importers/ingest", "index", "sessions", "schema"},
	"sample-data":       nil,
	"sample-data/gen":   {"schema"},
	"tui": {"detect", "export", "importers", "importers/ingest", "index", "intake", "saved", "schema",
		"sessions", "termtext"},
	"termtext":     nil,
	"cmd/sshtrail": {"*"},
}

// noBleve are packages that must not reach the store's engine, even
// indirectly: the schema, the format parsers, the exports, terminal text.
var noBleve = []string{"schema", "importers", "importers/sshd", "importers/authlog", "importers/journal",
	"importers/unified", "importers/zeek", "importers/auditd", "importers/all", "export", "termtext", "sample-data/gen"}

type pkgInfo struct {
	internal []string // module packages imported, relative
	bleve    bool     // imports a blevesearch package directly
}

func modulePackages(t *testing.T) map[string]pkgInfo {
	t.Helper()
	pkgs := map[string]pkgInfo{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if n := d.Name(); path != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "bin") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel := filepath.ToSlash(path)
		if rel == "." {
			rel = ""
		}
		var info pkgInfo
		for _, imp := range p.Imports {
			switch {
			case imp == module:
				info.internal = append(info.internal, "")
			case strings.HasPrefix(imp, module+"/"):
				info.internal = append(info.internal, strings.TrimPrefix(imp, module+"/"))
			case strings.HasPrefix(imp, "github.com/blevesearch/"):
				info.bleve = true
			}
		}
		pkgs[rel] = info
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func TestDependencies(t *testing.T) {
	pkgs := modulePackages(t)
	if len(pkgs) < 15 {
		t.Fatalf("found only %d packages", len(pkgs))
	}
	for p, info := range pkgs {
		rule, ok := allowed[p]
		if !ok {
			t.Errorf("package %q has no rule in deps_test.go: say where it sits in the flow", p)
			continue
		}
		if len(rule) == 1 && rule[0] == "*" {
			continue
		}
		for _, imp := range info.internal {
			if !slices.Contains(rule, imp) {
				t.Errorf("%s imports %s: not allowed (it may import %v)", name(p), name(imp), rule)
			}
		}
	}
	// Only the command imports the workbench.
	for p, info := range pkgs {
		if p != "cmd/sshtrail" && slices.Contains(info.internal, "tui") {
			t.Errorf("%s imports tui: only cmd/sshtrail may", name(p))
		}
	}
	// The engine stays in the store.
	for _, p := range noBleve {
		if _, ok := pkgs[p]; !ok {
			continue
		}
		if path := reachBleve(pkgs, p, map[string]bool{}); path != nil {
			t.Errorf("%s reaches Bleve: %s", name(p), strings.Join(path, " → "))
		}
	}
}

// reachBleve returns an import path from p to a package that imports Bleve.
func reachBleve(pkgs map[string]pkgInfo, p string, seen map[string]bool) []string {
	if seen[p] {
		return nil
	}
	seen[p] = true
	info := pkgs[p]
	if info.bleve {
		return []string{name(p), "github.com/blevesearch/…"}
	}
	deps := append([]string(nil), info.internal...)
	sort.Strings(deps)
	for _, d := range deps {
		if rest := reachBleve(pkgs, d, seen); rest != nil {
			return append([]string{name(p)}, rest...)
		}
	}
	return nil
}

func name(p string) string {
	if p == "" {
		return module
	}
	return p
}
