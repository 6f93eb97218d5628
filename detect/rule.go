package detect

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/index"
)

// Severity of a rule and its findings.
type Severity string

// Severities, lowest first.
const (
	SevInfo     Severity = "info"
	SevLow      Severity = "low"
	SevMedium   Severity = "medium"
	SevHigh     Severity = "high"
	SevCritical Severity = "critical"
)

// Rank orders severities: critical 4 ... info 0, unknown -1.
func (s Severity) Rank() int {
	switch s {
	case SevCritical:
		return 4
	case SevHigh:
		return 3
	case SevMedium:
		return 2
	case SevLow:
		return 1
	case SevInfo:
		return 0
	}
	return -1
}

// ParseSeverity accepts the five severity names in any case.
func ParseSeverity(s string) (Severity, error) {
	sv := Severity(strings.ToLower(strings.TrimSpace(s)))
	if sv.Rank() < 0 {
		return "", fmt.Errorf("severity %q: want info, low, medium, high or critical", s)
	}
	return sv, nil
}

// Rule is one detection.
type Rule interface {
	ID() string
	Title() string
	Severity() Severity
	Technique() string // MITRE ATT&CK id, e.g. T1110.001
	Description() string
	Needs() []string // the evidence the rule reads, in words
	Run(ctx context.Context, s *index.Store, cfg Config) ([]Finding, error)
}

// Finding is one thing an analyst should look at. The JSON names are a
// contract (issue 5).
type Finding struct {
	Rule      string    `json:"rule"`
	Title     string    `json:"title"`
	Severity  Severity  `json:"severity"`
	Technique string    `json:"technique"`
	TS        time.Time `json:"ts"` // first evidence
	Host      string    `json:"host,omitempty"`
	User      string    `json:"user,omitempty"`
	SrcIP     string    `json:"src_ip,omitempty"`
	DstIP     string    `json:"dst_ip,omitempty"`
	SIDs      []string  `json:"sids,omitempty"`
	Summary   string    `json:"summary"`
	Events    []string  `json:"events"`
	// Sources are the formats that saw the attempts a count is made of
	// (brute force, spraying, guessing): one attempt counts once whatever
	// saw it.
	Sources []string `json:"sources,omitempty"`

	last time.Time // last evidence, for --since
}

// Last is the time of the finding's last evidence (TS when unknown).
func (f Finding) Last() time.Time {
	if f.last.IsZero() {
		return f.TS
	}
	return f.last
}

// meta is the descriptive half of a Rule, shared by every built-in.
type meta struct {
	id, title, technique, desc string
	sev                        Severity
	needs                      []string
}

func (m meta) ID() string          { return m.id }
func (m meta) Title() string       { return m.title }
func (m meta) Severity() Severity  { return m.sev }
func (m meta) Technique() string   { return m.technique }
func (m meta) Description() string { return m.desc }
func (m meta) Needs() []string     { return m.needs }

// finding starts a Finding of this rule.
func (m meta) finding(first *rec) Finding {
	f := Finding{Rule: m.id, Title: m.title, Severity: m.sev, Technique: m.technique}
	if first != nil {
		f.TS, f.last = first.ts, first.ts
		f.Host, f.User, f.SrcIP, f.DstIP = first.host, first.user, first.src, first.dst
	}
	return f
}
