package detect

import (
	"fmt"
	"net/netip"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// compiled is a Config checked and turned into lookups, once per run.
type compiled struct {
	Config
	groups      []*group // sorted by name
	daemons     []string
	notDaemons  []string
	service     []string
	loc         *time.Location
	startMin    int // minutes after midnight
	endMin      int
	days        [7]bool
	pwMethods   map[string]bool
	winPorts    map[int]bool
	hostAddrs   map[string][]netip.Addr
	addrHost    map[netip.Addr]string
	maxEvidence int
	svcMemo     map[[2]string]svcAnswer
}

type svcAnswer struct {
	ok  bool
	why string
}

type group struct {
	name  string
	hosts []string // lower-case names / globs
	cidrs []netip.Prefix
	allow []string
}

func compile(c Config) (*compiled, error) {
	cc := &compiled{Config: c, daemons: lowerAll(c.DaemonNames), notDaemons: lowerAll(c.NotServiceAccounts),
		service: lowerAll(c.ServiceAccounts), pwMethods: map[string]bool{}, winPorts: map[int]bool{},
		hostAddrs: map[string][]netip.Addr{}, addrHost: map[netip.Addr]string{}, maxEvidence: c.MaxEvidence}
	if cc.maxEvidence <= 0 {
		cc.maxEvidence = 200
	}
	for name, g := range c.Groups {
		cg := &group{name: canonicalGroup(name), hosts: lowerAll(g.Hosts), allow: g.AllowUsers}
		for _, h := range cg.hosts {
			if _, err := path.Match(h, ""); err != nil {
				return nil, fmt.Errorf("detect config: groups.%s.hosts: bad glob %q", name, h)
			}
		}
		for _, s := range g.CIDRs {
			p, err := parsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("detect config: groups.%s.cidrs: %w", name, err)
			}
			cg.cidrs = append(cg.cidrs, p)
		}
		cc.groups = append(cc.groups, cg)
	}
	sort.Slice(cc.groups, func(i, j int) bool { return cc.groups[i].name < cc.groups[j].name })
	for h, addrs := range c.HostAddresses {
		for _, a := range addrs {
			ip, err := netip.ParseAddr(strings.TrimSpace(a))
			if err != nil {
				return nil, fmt.Errorf("detect config: host_addresses.%s: %w", h, err)
			}
			cc.learnAddr(strings.ToLower(h), ip.Unmap())
		}
	}
	wh := c.WorkingHours
	tz := wh.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("detect config: working_hours.time_zone: %w", err)
	}
	cc.loc = loc
	if cc.startMin, err = clock(wh.Start, 0); err != nil {
		return nil, fmt.Errorf("detect config: working_hours.start: %w", err)
	}
	if cc.endMin, err = clock(wh.End, 24*60); err != nil {
		return nil, fmt.Errorf("detect config: working_hours.end: %w", err)
	}
	for _, d := range wh.Days {
		i, ok := weekdays[strings.ToLower(strings.TrimSpace(d))[:min(3, len(strings.TrimSpace(d)))]]
		if !ok {
			return nil, fmt.Errorf("detect config: working_hours.days: %q is not a weekday", d)
		}
		cc.days[i] = true
	}
	for _, m := range c.PasswordMethods {
		cc.pwMethods[strings.ToLower(m)] = true
	}
	for _, p := range c.Thresholds.WindowsPorts {
		cc.winPorts[p] = true
	}
	t := c.Thresholds
	for name, v := range map[string]int{"brute_force_failures": t.BruteForceFailures, "spray_users": t.SprayUsers,
		"guess_failures": t.GuessFailures, "invalid_users": t.InvalidUsers, "key_norm_logons": t.KeyNormLogons,
		"lateral_hops": t.LateralHops} {
		if v < 1 {
			return nil, fmt.Errorf("detect config: thresholds.%s must be at least 1 (is %d)", name, v)
		}
	}
	for name, v := range map[string]time.Duration{"brute_force_window": t.BruteForceWindow, "spray_window": t.SprayWindow,
		"guess_window": t.GuessWindow, "invalid_user_window": t.InvalidUserWindow} {
		if v <= 0 {
			return nil, fmt.Errorf("detect config: thresholds.%s must be positive (is %s)", name, v)
		}
	}
	if c.BaselineDays < 0 {
		return nil, fmt.Errorf("detect config: baseline_days must not be negative")
	}
	for i, r := range c.Rules {
		if _, err := r.compile(fmt.Sprintf("config detect.rules[%d]", i), 0); err != nil {
			return nil, err
		}
	}
	return cc, nil
}

var weekdays = map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}

// clock parses "HH:MM" into minutes after midnight.
func clock(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return hh*60 + mm, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	return p.Masked(), nil
}

func lowerAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(strings.TrimSpace(s)))
	}
	return out
}

// canonicalGroup maps viper's lower-cased key back to the built-in name.
func canonicalGroup(name string) string {
	for _, g := range GroupNames {
		if strings.EqualFold(g, name) {
			return g
		}
	}
	return name
}

// globAny reports whether s matches any of the lower-case globs.
func globAny(globs []string, s string) bool {
	s = strings.ToLower(s)
	for _, g := range globs {
		if g == s {
			return true
		}
		if ok, _ := path.Match(g, s); ok {
			return true
		}
	}
	return false
}

func (cc *compiled) learnAddr(host string, ip netip.Addr) {
	if !ip.IsValid() || host == "" {
		return
	}
	if _, ok := cc.addrHost[ip]; ok {
		return
	}
	cc.addrHost[ip] = host
	cc.hostAddrs[host] = append(cc.hostAddrs[host], ip)
}

// groupsOf returns the groups a host (by name or any of its addresses) is in.
func (cc *compiled) groupsOf(host string, ip string) []*group {
	var out []*group
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(ip); err == nil {
		addrs = append(addrs, a.Unmap())
	}
	addrs = append(addrs, cc.hostAddrs[strings.ToLower(host)]...)
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = append(addrs, a.Unmap())
	}
next:
	for _, g := range cc.groups {
		if host != "" && globAny(g.hosts, host) {
			out = append(out, g)
			continue
		}
		for _, p := range g.cidrs {
			for _, a := range addrs {
				if p.Contains(a) {
					out = append(out, g)
					continue next
				}
			}
		}
	}
	return out
}

// isService applies the service-account list and the rule of thumb
// (memoized: a case has few distinct accounts and many logons).
func (cc *compiled) isService(user, uid string) (bool, string) {
	k := [2]string{user, uid}
	if a, ok := cc.svcMemo[k]; ok {
		return a.ok, a.why
	}
	ok, why := cc.serviceUncached(user, uid)
	if cc.svcMemo == nil {
		cc.svcMemo = map[[2]string]svcAnswer{}
	}
	cc.svcMemo[k] = svcAnswer{ok, why}
	return ok, why
}

func (cc *compiled) serviceUncached(user, uid string) (bool, string) {
	u := strings.ToLower(user)
	if u == "" || u == "root" {
		return false, ""
	}
	if globAny(cc.service, u) {
		return true, "listed in service_accounts"
	}
	if globAny(cc.notDaemons, u) {
		return false, ""
	}
	if n, err := strconv.Atoi(uid); err == nil && n > 0 && n < cc.ServiceUIDMax {
		return true, fmt.Sprintf("uid %d < %d", n, cc.ServiceUIDMax)
	}
	if globAny(cc.daemons, u) {
		return true, "a daemon account name"
	}
	return false, ""
}

// offHours reports whether t is outside working hours.
func (cc *compiled) offHours(t time.Time) bool {
	lt := t.In(cc.loc)
	if !cc.days[lt.Weekday()] {
		return true
	}
	m := lt.Hour()*60 + lt.Minute()
	if cc.startMin <= cc.endMin {
		return m < cc.startMin || m >= cc.endMin
	}
	return m < cc.startMin && m >= cc.endMin // night shift wrapping midnight
}
