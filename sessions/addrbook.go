package sessions

import (
	"net/netip"
	"slices"
	"sort"
)

// AddrBook maps hosts to the addresses they were seen with: stated in the
// config (assets) or learned (a host log saying "on B port 22", a Zeek
// record joined to B's session, the source of a session opened by an ssh
// process on B).
type AddrBook struct {
	Hosts map[string][]string `json:"hosts"`
	addrs map[string][]string // addr -> hosts
}

func newAddrBook(assets map[string][]string) *AddrBook {
	a := &AddrBook{Hosts: map[string][]string{}, addrs: map[string][]string{}}
	for h, list := range assets {
		for _, ip := range list {
			a.learn(h, ip)
		}
	}
	return a
}

func canonIP(s string) string {
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().String()
	}
	return s
}

func (a *AddrBook) learn(host, addr string) {
	if host == "" || addr == "" {
		return
	}
	addr = canonIP(addr)
	if ip, err := netip.ParseAddr(addr); err != nil || ip.IsLoopback() || ip.IsUnspecified() {
		return
	}
	if !slices.Contains(a.Hosts[host], addr) {
		a.Hosts[host] = append(a.Hosts[host], addr)
		sort.Strings(a.Hosts[host])
	}
	if !slices.Contains(a.addrs[addr], host) {
		a.addrs[addr] = append(a.addrs[addr], host)
	}
}

// HostOf is the one host known to have addr, or "".
func (a *AddrBook) HostOf(addr string) string {
	if hs := a.addrs[canonIP(addr)]; len(hs) == 1 {
		return hs[0]
	}
	return ""
}

// Has reports whether host is known to have addr.
func (a *AddrBook) Has(host, addr string) bool {
	return slices.Contains(a.Hosts[host], canonIP(addr))
}

// Known reports whether any address is known for host.
func (a *AddrBook) Known(host string) bool { return len(a.Hosts[host]) > 0 }

// Addresses lists the addresses known for host.
func (a *AddrBook) Addresses(host string) []string { return a.Hosts[host] }

// nodeOf names the machine behind an address: its host if known, else the
// address itself.
func (a *AddrBook) nodeOf(addr string) string {
	if h := a.HostOf(addr); h != "" {
		return h
	}
	return canonIP(addr)
}

func (a *AddrBook) rebuildIndex() {
	a.addrs = map[string][]string{}
	for h, list := range a.Hosts {
		for _, ip := range list {
			a.addrs[ip] = append(a.addrs[ip], h)
		}
	}
}
