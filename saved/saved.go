// Package saved keeps an analyst's saved queries in the config file and
// replays them: "what is new since I last asked". The file is edited as a
// YAML node tree so comments and every other key survive a save, and a file
// that does not parse is refused, never overwritten. Concurrent saves, by
// goroutines or processes, are serialised by a lock (see write.go), so none
// is lost.
package saved

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"gopkg.in/yaml.v3"
)

// Targets a saved query can run against.
const (
	TargetEvents   = "events"
	TargetSessions = "sessions"
	TargetFindings = "findings"
)

// Query is one saved question and what its last run found.
type Query struct {
	Name        string    `yaml:"name" json:"name"`
	Query       string    `yaml:"query" json:"query"`
	Target      string    `yaml:"target,omitempty" json:"target"`
	Description string    `yaml:"description,omitempty" json:"description,omitempty"`
	Created     time.Time `yaml:"created" json:"created"`
	LastRun     time.Time `yaml:"last_run,omitempty" json:"last_run,omitzero"`
	LastCount   int       `yaml:"last_count,omitempty" json:"last_count"`
	// LastNewest is the time of the newest hit at the last run.
	LastNewest time.Time `yaml:"last_newest,omitempty" json:"last_newest,omitzero"`
	// LastMark is the index's event-log mark at the last run: hits past it
	// were imported later, whatever their timestamps (a new batch of logs
	// from another host can be older than what was seen).
	LastMark int64 `yaml:"last_mark,omitempty" json:"last_mark,omitempty"`
}

const key = "queries"

// File is a config file holding saved queries under `queries:`.
type File struct{ Path string }

// emptyDoc is what a missing or empty file holds.
func emptyDoc() *yaml.Node {
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
}

// load parses the file; a missing file is an empty document.
func (f File) load() (*yaml.Node, error) { return f.loadFrom(f.Path) }

// loadFrom parses the file at path (the config's symlink target, when
// writing), naming f.Path in errors: that is the name the user knows.
func (f File) loadFrom(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return emptyDoc(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", f.Path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml.v3 errors carry "line N": keep them, name the file.
		return nil, fmt.Errorf("config %s: %w (file left unchanged)", f.Path, err)
	}
	if doc.Kind == 0 { // empty file
		return emptyDoc(), nil
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s: line %d: top level must be a mapping (file left unchanged)", f.Path, doc.Line)
	}
	return &doc, nil
}

func queriesNode(doc *yaml.Node) (*yaml.Node, int) {
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], i + 1
		}
	}
	return nil, -1
}

// List returns the saved queries, sorted by name.
func (f File) List() ([]Query, error) {
	doc, err := f.load()
	if err != nil {
		return nil, err
	}
	n, _ := queriesNode(doc)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	var qs []Query
	if err := n.Decode(&qs); err != nil {
		return nil, fmt.Errorf("config %s: line %d: queries: %w", f.Path, n.Line, err)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name })
	return qs, nil
}

// Get returns one saved query.
func (f File) Get(name string) (Query, error) {
	qs, err := f.List()
	if err != nil {
		return Query{}, err
	}
	for _, q := range qs {
		if q.Name == name {
			return q, nil
		}
	}
	return Query{}, fmt.Errorf("no saved query %q", name)
}

// check fills in the default target and refuses what cannot be saved.
func check(q *Query) error {
	if q.Name == "" {
		return fmt.Errorf("a saved query needs a name")
	}
	if q.Target == "" {
		q.Target = TargetEvents
	}
	switch q.Target {
	case TargetEvents, TargetSessions, TargetFindings:
		return nil
	default:
		return fmt.Errorf("target %q: use events, sessions or findings", q.Target)
	}
}

// Put saves q, replacing a saved query of the same name in place (keeping
// the comments around it). The file is re-read under its lock, so saves
// by other processes meanwhile are kept.
func (f File) Put(q Query) error {
	if err := check(&q); err != nil {
		return err
	}
	return f.update(func(doc *yaml.Node) error { return f.put(doc, q) })
}

// Update changes the saved query called name under the config's lock: fn
// gets the query as it is in the file now (exists false, and only Name
// set, if there is none) and edits it in place. Prefer it to Get then Put
// when the change takes time to compute, such as a run's counts: a Put of
// a copy read earlier would undo whatever another process saved under the
// same name in between. An error from fn writes nothing and is returned.
func (f File) Update(name string, fn func(q *Query, exists bool) error) error {
	return f.update(func(doc *yaml.Node) error {
		q, exists := Query{Name: name}, false
		if n, _ := queriesNode(doc); n != nil && n.Kind == yaml.SequenceNode {
			for _, it := range n.Content {
				var existing Query
				if it.Decode(&existing) == nil && existing.Name == name {
					q, exists = existing, true
					break
				}
			}
		}
		if err := fn(&q, exists); err != nil {
			return err
		}
		if q.Name != name {
			return fmt.Errorf("saved query %q: Update cannot rename it to %q", name, q.Name)
		}
		if err := check(&q); err != nil {
			return err
		}
		return f.put(doc, q)
	})
}

// put sets q in doc, replacing an item of the same name.
func (f File) put(doc *yaml.Node, q Query) error {
	var item yaml.Node
	if err := item.Encode(q); err != nil {
		return fmt.Errorf("saved query %q: %w", q.Name, err)
	}
	n, _ := queriesNode(doc)
	if n == nil {
		m := doc.Content[0]
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
		n = m.Content[len(m.Content)-1]
	}
	if n.Kind != yaml.SequenceNode {
		if n.Tag == "!!null" {
			*n = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		} else {
			return fmt.Errorf("config %s: line %d: queries must be a list (file left unchanged)", f.Path, n.Line)
		}
	}
	for i, it := range n.Content {
		var existing Query
		if it.Decode(&existing) == nil && existing.Name == q.Name {
			item.HeadComment, item.LineComment, item.FootComment = it.HeadComment, it.LineComment, it.FootComment
			n.Content[i] = &item
			return nil
		}
	}
	n.Content = append(n.Content, &item)
	return nil
}

// Delete removes a saved query.
func (f File) Delete(name string) error {
	return f.update(func(doc *yaml.Node) error {
		n, _ := queriesNode(doc)
		if n != nil && n.Kind == yaml.SequenceNode {
			for i, it := range n.Content {
				var existing Query
				if it.Decode(&existing) == nil && existing.Name == name {
					n.Content = append(n.Content[:i], n.Content[i+1:]...)
					return nil
				}
			}
		}
		return fmt.Errorf("no saved query %q", name)
	})
}
