package detect

import (
	"sort"

	"github.com/sshtrail/sshtrail/schema"
)

// groupable are the event fields a YAML rule may group by (group_by), from
// the field table.
var groupable = func() map[string]schema.Field {
	m := map[string]schema.Field{}
	for _, f := range schema.EventFields {
		if f.Group {
			m[f.Name] = f
		}
	}
	return m
}()

func groupableList() []string {
	out := make([]string, 0, len(groupable))
	for f := range groupable {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// fieldValue is the value of an event field by its JSON name ("" for a
// field rules cannot group by).
func fieldValue(ev *schema.Event, name string) string {
	if f, ok := groupable[name]; ok {
		return f.Value(ev)
	}
	return ""
}

func isGroupable(name string) bool { _, ok := groupable[name]; return ok }
