package detect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// YAMLRule is a user rule: a Bleve query over events, optionally grouped by
// a field, that fires when at least Threshold events match (within Window
// when set). In a file:
//
//	rules:
//	  - id: Root_From_Outside
//	    title: root logon from outside the LAN
//	    severity: high
//	    technique: T1078.003
//	    query: 'action:auth_success user:root -src_ip:10.0.0.0/8'
//	    group_by: src_ip       # optional: one finding per value ("id": per event)
//	    threshold: 1           # optional, default 1
//	    window: 30m            # optional: threshold counts within this window
type YAMLRule struct {
	ID          string `yaml:"id" mapstructure:"id" json:"id"`
	Title       string `yaml:"title" mapstructure:"title" json:"title"`
	Severity    string `yaml:"severity" mapstructure:"severity" json:"severity"`
	Technique   string `yaml:"technique" mapstructure:"technique" json:"technique"`
	Description string `yaml:"description" mapstructure:"description" json:"description"`
	Query       string `yaml:"query" mapstructure:"query" json:"query"`
	GroupBy     string `yaml:"group_by" mapstructure:"group_by" json:"group_by"`
	Threshold   int    `yaml:"threshold" mapstructure:"threshold" json:"threshold"`
	Window      string `yaml:"window" mapstructure:"window" json:"window"`
}

var yamlKeys = []string{"id", "title", "severity", "technique", "description", "query", "group_by", "threshold", "window"}

var ruleIDRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,99}$`)

// userRule is a YAMLRule checked and ready to run.
type userRule struct {
	meta
	query     string
	groupBy   string
	threshold int
	window    time.Duration
	where     string // file:line, for errors
}

// compile checks r; where and line say where it came from.
func (r YAMLRule) compile(where string, line int) (*userRule, error) {
	at := where
	if line > 0 {
		at = fmt.Sprintf("%s:%d", where, line)
	}
	bad := func(format string, a ...any) error {
		id := ""
		if ruleIDRe.MatchString(r.ID) {
			id = " rule " + strconv.Quote(r.ID) + ":"
		}
		return fmt.Errorf("%s:%s %s", at, id, fmt.Sprintf(format, a...))
	}
	if !ruleIDRe.MatchString(r.ID) {
		return nil, bad("id %q: want a letter, then letters, digits, _ . or - (at most 100)", r.ID)
	}
	if strings.TrimSpace(r.Query) == "" {
		return nil, bad("query is missing")
	}
	if _, err := index.ParseQuery(r.Query); err != nil {
		return nil, bad("%v", err)
	}
	sev := SevMedium
	if r.Severity != "" {
		s, err := ParseSeverity(r.Severity)
		if err != nil {
			return nil, bad("%v", err)
		}
		sev = s
	}
	if r.GroupBy != "" && !isGroupable(r.GroupBy) {
		return nil, bad("group_by %q is not an event field (one of %s)", r.GroupBy, strings.Join(groupableList(), ", "))
	}
	if r.Threshold < 0 {
		return nil, bad("threshold must be at least 1")
	}
	var win time.Duration
	if r.Window != "" {
		w, err := time.ParseDuration(r.Window)
		if err != nil || w <= 0 {
			return nil, bad("window %q: want a positive duration such as 30m or 2h", r.Window)
		}
		win = w
	}
	title := r.Title
	if title == "" {
		title = r.ID
	}
	u := &userRule{meta: meta{id: r.ID, title: title, sev: sev, technique: r.Technique, desc: r.Description,
		needs: []string{"events matching " + r.Query}}, query: r.Query, groupBy: r.GroupBy,
		threshold: max(r.Threshold, 1), window: win, where: at}
	if u.desc == "" {
		u.desc = "User rule (" + at + "): " + r.Query
	}
	return u, nil
}

// ParseRules reads user rules from YAML: a list of rules, or a mapping with
// a `rules:` list. name is used in errors, which give file:line.
func ParseRules(name string, data []byte) ([]YAMLRule, error) {
	rules, _, err := parseRules(name, data)
	return rules, err
}

func parseRules(name string, data []byte) ([]YAMLRule, []int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, yamlErr(name, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.MappingNode {
		var list *yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i]; k.Value == "rules" {
				list = root.Content[i+1]
			} else {
				return nil, nil, fmt.Errorf("%s:%d: unknown key %q (want `rules:`)", name, k.Line, k.Value)
			}
		}
		if list == nil {
			return nil, nil, nil
		}
		root = list
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, nil, fmt.Errorf("%s:%d: want a list of rules", name, root.Line)
	}
	var out []YAMLRule
	var lines []int
	for _, item := range root.Content {
		if item.Kind != yaml.MappingNode {
			return nil, nil, fmt.Errorf("%s:%d: a rule is a mapping of id, query, ... (got %s)", name, item.Line, kindName(item))
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k := item.Content[i]
			if !contains(yamlKeys, k.Value) {
				return nil, nil, fmt.Errorf("%s:%d: unknown key %q (want one of %s)", name, k.Line, k.Value, strings.Join(yamlKeys, ", "))
			}
			if v := item.Content[i+1]; v.Kind != yaml.ScalarNode {
				return nil, nil, fmt.Errorf("%s:%d: %s must be a single value", name, v.Line, k.Value)
			}
		}
		var r YAMLRule
		if err := item.Decode(&r); err != nil {
			return nil, nil, yamlErr(name, err)
		}
		out = append(out, r)
		lines = append(lines, item.Line)
	}
	return out, lines, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(clip(n.Value, 40))
	}
	return "something else"
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlErr turns yaml.v3's "yaml: line 3: ..." into "file:3: ...".
func yamlErr(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, 0, len(te.Errors))
		for _, e := range te.Errors {
			msgs = append(msgs, yamlLine.ReplaceAllString(e, name+":$1: "))
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], msg[len(m[0]):])
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

// LoadRules reads and checks the user rules of one file, or of every
// *.yml / *.yaml file in a folder (in name order).
func LoadRules(path string) ([]Rule, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		for _, pat := range []string{"*.yml", "*.yaml"} {
			m, _ := filepath.Glob(filepath.Join(path, pat))
			files = append(files, m...)
		}
		sort.Strings(files)
	}
	var out []Rule
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		rs, err := compileRules(f, data)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func compileRules(name string, data []byte) ([]Rule, error) {
	ys, lines, err := parseRules(name, data)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(ys))
	for i, y := range ys {
		u, err := y.compile(name, lines[i])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// UserRules are the config's inline rules and the rules folder's, checked:
// an id may not repeat or shadow a built-in.
func UserRules(cfg Config) ([]Rule, error) {
	var out []Rule
	for i, y := range cfg.Rules {
		u, err := y.compile(fmt.Sprintf("config detect.rules[%d]", i), 0)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if cfg.RulesDir != "" {
		rs, err := LoadRules(cfg.RulesDir)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	seen := map[string]string{}
	for _, b := range builtins(cfg) {
		seen[strings.ToLower(b.ID())] = "a built-in rule"
	}
	for _, r := range out {
		u := r.(*userRule)
		k := strings.ToLower(u.id)
		if prev, ok := seen[k]; ok {
			return nil, fmt.Errorf("%s: rule id %q is already used by %s", u.where, u.id, prev)
		}
		seen[k] = u.where
	}
	return out, nil
}

// Run queries the store and groups the matches.
func (u *userRule) Run(ctx context.Context, s *index.Store, cfg Config) ([]Finding, error) {
	groups := map[string][]*rec{}
	var order []string
	err := s.Each(ctx, index.Query{Q: u.query}, func(ev *schema.Event) error {
		k := ""
		if u.groupBy != "" {
			k = fieldValue(ev, u.groupBy)
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], &rec{ts: ev.TS, id: ev.ID, sid: ev.SID, host: ev.Host, target: ev.Host,
			user: ev.User, src: ev.SrcIP, dst: ev.DstIP})
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, k := range order {
		rs := groups[k]
		byTime(rs)
		parts := [][]*rec{rs}
		if u.window > 0 {
			parts = clusters(rs, u.window)
		}
		for _, p := range parts {
			n := len(p)
			if u.window > 0 {
				n = peak(p, u.window, nil)
			}
			if n < u.threshold {
				continue
			}
			b := &bucket{}
			for _, r := range p {
				b.add(r)
			}
			what := ""
			if u.groupBy != "" {
				what = fmt.Sprintf(" with %s=%s", u.groupBy, k)
			}
			within := ""
			if u.window > 0 {
				within = fmt.Sprintf(" (up to %d within %s)", n, u.window)
			}
			out = append(out, b.finding(u.meta, fmt.Sprintf("%d event(s)%s matched %q%s between %s and %s.",
				len(p), what, u.query, within, stamp(b.first.ts), stamp(b.last.ts))))
		}
	}
	return out, nil
}
