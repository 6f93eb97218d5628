// Package saved keeps an analyst's saved queries in the config file and
// replays them: "what is new since I last asked". The file is edited as a
// YAML node tree so comments and every other key survive a save, and a file
// that does not parse is refused, never overwritten.
package saved

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// load parses the file; a missing file is an empty document.
func (f File) load() (*yaml.Node, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}, nil
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
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
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

// Put saves q, replacing a saved query of the same name in place (keeping
// the comments around it).
func (f File) Put(q Query) error {
	if q.Name == "" {
		return fmt.Errorf("a saved query needs a name")
	}
	if q.Target == "" {
		q.Target = TargetEvents
	}
	switch q.Target {
	case TargetEvents, TargetSessions, TargetFindings:
	default:
		return fmt.Errorf("target %q: use events, sessions or findings", q.Target)
	}
	doc, err := f.load()
	if err != nil {
		return err
	}
	var item yaml.Node
	if err := item.Encode(q); err != nil {
		return err
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
	replaced := false
	for i, it := range n.Content {
		var existing Query
		if it.Decode(&existing) == nil && existing.Name == q.Name {
			item.HeadComment, item.LineComment, item.FootComment = it.HeadComment, it.LineComment, it.FootComment
			n.Content[i] = &item
			replaced = true
			break
		}
	}
	if !replaced {
		n.Content = append(n.Content, &item)
	}
	return f.write(doc)
}

// Delete removes a saved query.
func (f File) Delete(name string) error {
	doc, err := f.load()
	if err != nil {
		return err
	}
	n, _ := queriesNode(doc)
	if n != nil && n.Kind == yaml.SequenceNode {
		for i, it := range n.Content {
			var existing Query
			if it.Decode(&existing) == nil && existing.Name == name {
				n.Content = append(n.Content[:i], n.Content[i+1:]...)
				return f.write(doc)
			}
		}
	}
	return fmt.Errorf("no saved query %q", name)
}

// write replaces the file atomically, readable by its owner only.
func (f File) write(doc *yaml.Node) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	enc.Close()
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}
