package detect

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// dataRule is a built-in rule that reads the shared data set.
type dataRule interface {
	Rule
	run(d *data) []Finding
}

// builtin is a rule whose logic is one function over the data set.
type builtin struct {
	meta
	fn func(m meta, d *data) []Finding
}

func (b *builtin) run(d *data) []Finding { return b.fn(b.meta, d) }

// Run runs this one rule on its own (one scan of the store).
func (b *builtin) Run(ctx context.Context, s *index.Store, cfg Config) ([]Finding, error) {
	return runRules(ctx, s, cfg, []Rule{b}, time.Time{})
}

// Rules is the catalogue: the built-ins, then the user rules that load.
// A user rule that does not load is left out here; UserRules and Run
// return the error.
func Rules(cfg Config) []Rule {
	rs := builtins(cfg)
	us, _ := UserRules(cfg)
	return disable(cfg, append(rs, us...))
}

// AllRules is Rules, but a bad user rule is an error.
func AllRules(cfg Config) ([]Rule, error) {
	us, err := UserRules(cfg)
	if err != nil {
		return nil, err
	}
	return disable(cfg, append(builtins(cfg), us...)), nil
}

func disable(cfg Config, rs []Rule) []Rule {
	if len(cfg.Disabled) == 0 {
		return rs
	}
	dis := lowerAll(cfg.Disabled)
	out := rs[:0]
	for _, r := range rs {
		if !globAny(dis, r.ID()) {
			out = append(out, r)
		}
	}
	return out
}

// Run runs the rules named in ruleIDs (all when empty; ids match
// case-insensitively and may be globs such as "SSH_*") and returns their
// findings from since on (zero: all), most severe first, then oldest first.
func Run(ctx context.Context, s *index.Store, cfg Config, ruleIDs []string, since time.Time) ([]Finding, error) {
	all, err := AllRules(cfg)
	if err != nil {
		return nil, err
	}
	rules := all
	if len(ruleIDs) > 0 {
		rules = nil
		for _, id := range ruleIDs {
			pat := []string{strings.ToLower(id)}
			n := 0
			for _, r := range all {
				if globAny(pat, r.ID()) {
					rules = append(rules, r)
					n++
				}
			}
			if n == 0 {
				return nil, fmt.Errorf("detect: no rule %q (see `sshtrail rules`)", id)
			}
		}
	}
	return runRules(ctx, s, cfg, uniqRules(rules), since)
}

func uniqRules(rs []Rule) []Rule {
	seen := map[string]bool{}
	out := rs[:0:0]
	for _, r := range rs {
		if !seen[r.ID()] {
			seen[r.ID()] = true
			out = append(out, r)
		}
	}
	return out
}

func runRules(ctx context.Context, s *index.Store, cfg Config, rules []Rule, since time.Time) ([]Finding, error) {
	cc, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	var d *data
	var out []Finding
	// The lateral rule reads the stored sessions' paths: read them while
	// the events load (detect on 831k events: 4 of its ~10 s).
	type pathsResult struct {
		paths []sessions.Path
		err   error
	}
	var pathsc chan pathsResult
	for _, r := range rules {
		if _, ok := r.(dataRule); ok && r.ID() == lateralID {
			pathsc = make(chan pathsResult, 1)
			// Never returned from before the reader is done with the store:
			// a caller closes it next (the workbench's quit closed it under
			// the reader and panicked in the session index).
			pathsCtx, stopPaths := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				p, err := sessions.AllPaths(pathsCtx, s, cc.Thresholds.LateralHops)
				pathsc <- pathsResult{p, err}
			}()
			defer func() { stopPaths(); <-done }()
			break
		}
	}
	for _, r := range rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var fs []Finding
		if dr, ok := r.(dataRule); ok {
			if d == nil {
				if d, err = load(ctx, s, cc); err != nil {
					return nil, fmt.Errorf("detect: %w", err)
				}
			}
			if r.ID() == lateralID && pathsc != nil {
				res := <-pathsc
				if res.err != nil {
					return nil, fmt.Errorf("detect: sessions: %w", res.err)
				}
				d.paths = res.paths
			}
			fs = dr.run(d)
		} else if fs, err = r.Run(ctx, s, cfg); err != nil {
			return nil, fmt.Errorf("detect: rule %s: %w", r.ID(), err)
		}
		out = append(out, fs...)
	}
	// A read-only store (the CLI's and the workbench's) keeps nothing: the
	// profiles are learned again on the next run either way.
	if d != nil && d.profiles != nil && !s.ReadOnly() {
		if err := saveProfiles(s, d.profiles); err != nil {
			return nil, err
		}
	}
	out = filterSince(out, since)
	for i := range out {
		if len(out[i].Events) > cc.maxEvidence {
			out[i].Events = out[i].Events[:cc.maxEvidence]
		}
		if out[i].Events == nil {
			out[i].Events = []string{}
		}
	}
	Sort(out)
	return out, nil
}

func filterSince(fs []Finding, since time.Time) []Finding {
	if since.IsZero() {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if !f.Last().Before(since) {
			out = append(out, f)
		}
	}
	return out
}

// Sort orders findings most severe first, then oldest first, then by rule,
// host and source so output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return ra > rb
		}
		if !a.TS.Equal(b.TS) {
			return a.TS.Before(b.TS)
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.SrcIP < b.SrcIP
	})
}

// evidence collects event ids and session ids for a finding.
type evidence struct {
	ids  []string
	sids []string
	seen map[string]bool
}

func (e *evidence) add(r *rec) {
	e.ids = append(e.ids, r.id)
	if r.sid != "" {
		if e.seen == nil {
			e.seen = map[string]bool{}
		}
		if !e.seen[r.sid] {
			e.seen[r.sid] = true
			e.sids = append(e.sids, r.sid)
		}
	}
}

func (e *evidence) fill(f *Finding, first, last *rec) {
	f.Events, f.SIDs = e.ids, e.sids
	if first != nil {
		f.TS = first.ts
	}
	if last != nil {
		f.last = last.ts
	}
}
