package schema

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// docs/schema.md documents every field of the table and no other: its
// Event table's first column names exactly the table's fields.
func TestSchemaDocMatchesTable(t *testing.T) {
	b, err := os.ReadFile("../docs/schema.md")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(b)
	i := strings.Index(sec, "## Event\n")
	if i < 0 {
		t.Fatal("docs/schema.md has no ## Event section")
	}
	sec = sec[i:]
	if j := strings.Index(sec[1:], "\n## "); j >= 0 {
		sec = sec[:j+1]
	}
	documented := map[string]bool{}
	for _, l := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| field ") {
			continue
		}
		for _, n := range strings.Split(strings.Split(l, "|")[1], ",") {
			documented[strings.TrimSpace(n)] = true
		}
	}
	var missing, extra []string
	for _, f := range EventFields {
		if !documented[f.Name] {
			missing = append(missing, f.Name)
		}
		delete(documented, f.Name)
	}
	for n := range documented {
		extra = append(extra, n)
	}
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("docs/schema.md Event table: missing %v, not fields %v", missing, extra)
	}
}
