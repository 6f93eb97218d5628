package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/index"
)

// HostProfile is what logons to one host looked like during its baseline
// window: every value seen and how often.
type HostProfile struct {
	Host          string         `json:"host"`
	Groups        []string       `json:"groups,omitempty"`
	BaselineStart time.Time      `json:"baseline_start"`
	BaselineEnd   time.Time      `json:"baseline_end"`
	Logons        int            `json:"logons"`
	Users         map[string]int `json:"users"`
	Sources       map[string]int `json:"sources"`
	Methods       map[string]int `json:"methods"`
	Keys          map[string]int `json:"keys"`
	Clients       map[string]int `json:"clients"`
}

const profileKey = "detect/profiles"

// allLogons are the host logs' logons plus the Zeek successes no host log
// holds (the user is unknown there, but source and client are not).
func (d *data) allLogons() []*rec {
	out := append([]*rec(nil), d.logons...)
	for _, z := range d.zssh {
		if z.success && !z.matched {
			out = append(out, z)
		}
	}
	byTime(out)
	return out
}

func (d *data) learnProfiles() map[string]*HostProfile {
	if d.profiles != nil {
		return d.profiles
	}
	ps := map[string]*HostProfile{}
	for _, l := range d.allLogons() {
		p := ps[l.target]
		if p == nil {
			p = &HostProfile{Host: l.target, BaselineEnd: d.baselineEnd(l.target),
				Users: map[string]int{}, Sources: map[string]int{}, Methods: map[string]int{},
				Keys: map[string]int{}, Clients: map[string]int{}}
			p.BaselineStart = d.hostFirst[l.target]
			for _, g := range d.cc.groupsOf(l.target, l.dst) {
				p.Groups = append(p.Groups, g.name)
			}
			ps[l.target] = p
		}
		if !l.ts.Before(p.BaselineEnd) {
			continue
		}
		p.Logons++
		for _, a := range []struct {
			m map[string]int
			v string
		}{{p.Users, l.user}, {p.Sources, l.src}, {p.Methods, l.method}, {p.Keys, l.keyFP}, {p.Clients, l.client}} {
			if a.v != "" {
				a.m[a.v]++
			}
		}
	}
	d.profiles = ps
	return ps
}

// differences lists what about logon l the profile has not seen.
func (p *HostProfile) differences(l *rec) []string {
	if p.Logons == 0 {
		return []string{"no logon in the baseline window"}
	}
	var out []string
	for _, a := range []struct {
		name, v string
		seen    map[string]int
	}{{"user", l.user, p.Users}, {"source", l.src, p.Sources}, {"method", l.method, p.Methods},
		{"key", l.keyFP, p.Keys}, {"client", l.client, p.Clients}} {
		// An attribute the profile never recorded (Zeek-only clients, host
		// logs without keys) is not evidence of change.
		if a.v != "" && len(a.seen) > 0 && a.seen[a.v] == 0 {
			out = append(out, fmt.Sprintf("new %s %s", a.name, a.v))
		}
	}
	return out
}

// abnormalRule builds <Group>_Abnormal_Access.
func abnormalRule(name string, sev Severity) *builtin {
	return &builtin{meta: meta{
		id: name + "_Abnormal_Access", title: "Abnormal SSH access to " + strings.ReplaceAll(name, "_", " "),
		sev: sev, technique: "T1021.004",
		desc: "A logon to a host of asset group " + name + " whose user, source address, method, key or client was not seen " +
			"in the host's baseline window (its first baseline_days of data, or until baseline_until).",
		needs: []string{"groups." + name + " in the config", "logons (auth_success) or Zeek ssh.log successes"},
	}, fn: func(m meta, d *data) []Finding {
		ps := d.learnProfiles()
		byKey := map[string]*bucket{}
		diffs := map[string][]string{}
		var order []string
		for _, l := range d.allLogons() {
			p := ps[l.target]
			if p == nil || l.ts.Before(p.BaselineEnd) || !inGroup(d.cc.groupsOf(l.target, l.dst), name) {
				continue
			}
			diff := p.differences(l)
			if len(diff) == 0 {
				continue
			}
			k := l.target + "\x00" + strings.Join(diff, ",")
			if byKey[k] == nil {
				byKey[k] = &bucket{}
				diffs[k] = diff
				order = append(order, k)
			}
			byKey[k].add(l)
		}
		var out []Finding
		for _, k := range order {
			b := byKey[k]
			l := b.first
			who := l.user
			if who == "" {
				who = "an account Zeek cannot name"
			}
			out = append(out, b.finding(m, fmt.Sprintf("%d logon(s) to %s (%s) as %s from %s differ from the profile learned from %d logon(s) before %s: %s.",
				b.n, l.target, name, who, orUnknown(l.src), ps[l.target].Logons, stamp(ps[l.target].BaselineEnd), strings.Join(diffs[k], "; "))))
		}
		return out
	}}
}

func inGroup(gs []*group, name string) bool {
	for _, g := range gs {
		if strings.EqualFold(g.name, name) {
			return true
		}
	}
	return false
}

// Profile learns (from the store) and returns the logon profile of host,
// and keeps every learned profile in the index (see StoredProfile).
func Profile(ctx context.Context, s *index.Store, cfg Config, host string) (*HostProfile, error) {
	cc, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	d, err := load(ctx, s, cc)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	ps := d.learnProfiles()
	if !s.ReadOnly() { // read-only: kept by nobody, learned again next time
		if err := saveProfiles(s, ps); err != nil {
			return nil, err
		}
	}
	key := strings.ToLower(host)
	if p := ps[key]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("profile: no logons to %q in the index (hosts with logons: %s)", host, hostList(ps))
}

// StoredProfile returns the profile kept by the last detection run or
// Profile call, or nil.
func StoredProfile(s *index.Store, host string) (*HostProfile, error) {
	v, err := s.GetInternal(profileKey)
	if err != nil || len(v) == 0 {
		return nil, err
	}
	var ps map[string]*HostProfile
	if err := json.Unmarshal(v, &ps); err != nil {
		return nil, fmt.Errorf("profile: stored profiles: %w", err)
	}
	return ps[strings.ToLower(host)], nil
}

func saveProfiles(s *index.Store, ps map[string]*HostProfile) error {
	v, err := json.Marshal(ps)
	if err != nil {
		return err
	}
	if err := s.SetInternal(profileKey, v); err != nil {
		return fmt.Errorf("detect: keep profiles: %w", err)
	}
	return nil
}

func hostList(ps map[string]*HostProfile) string {
	var hs []string
	for h := range ps {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	if len(hs) > 10 {
		hs = append(hs[:10], "…")
	}
	if len(hs) == 0 {
		return "none"
	}
	return strings.Join(hs, ", ")
}
