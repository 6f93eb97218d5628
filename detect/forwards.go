package detect

import (
	"net/netip"
	"sort"
	"strings"
)

// forwardSpec is one forward of an ssh invocation, as the auditd importer
// writes them in the forward field: "L:13389:10.0.9.5:3389", "R:8443:localhost:22",
// "D:1080", "W:0:1", "J:bastion".
type forwardSpec string

// describe spells the forward out for an analyst: its kind and where it
// leads. server is the host the ssh client connected to.
func (f forwardSpec) describe(server string) string {
	kind, rest, _ := strings.Cut(string(f), ":")
	via, at := "", " on the server"
	if server != "" {
		via, at = ", through "+server, " on "+server
	}
	switch kind {
	case "L":
		port, dest := splitListen(rest)
		return "local forward " + string(f) + " (this host's port " + port + " to " + dest + via + ")"
	case "R":
		port, dest := splitListen(rest)
		return "reverse tunnel " + string(f) + " (port " + port + at + " back to " + dest + " through this host)"
	case "D":
		return "SOCKS proxy " + string(f) + " (this host's port " + rest + " to anywhere" + via + ")"
	case "W":
		return "tun device forward " + string(f)
	case "J":
		return "jump host " + rest
	}
	return string(f)
}

// splitListen splits "[bind:]port:host:hostport" into the listening port
// and the destination.
func splitListen(s string) (port, dest string) {
	parts := strings.Split(s, ":")
	if len(parts) >= 4 {
		parts = parts[1:] // a bind address first
	}
	if len(parts) < 3 {
		return s, "?"
	}
	return parts[0], strings.Join(parts[1:], ":")
}

// forwardsOf collects the distinct forwards of a finding's records, in a
// stable order, with a flag for the most severe kind: a reverse tunnel
// whose server is an internet address (it opens the inside to the outside).
func forwardsOf(rs []*rec) (descs []string, reverseOut bool) {
	seen := map[string]bool{}
	type item struct{ spec, server string }
	var items []item
	for _, r := range rs {
		server := r.dstHost
		if r.dst != "" {
			server = r.dst
		}
		for _, f := range strings.Fields(r.forward) {
			if seen[f+"\x00"+server] {
				continue
			}
			seen[f+"\x00"+server] = true
			items = append(items, item{f, server})
			if strings.HasPrefix(f, "R:") && internetAddr(r.dst) {
				reverseOut = true
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].spec < items[j].spec })
	for _, it := range items {
		descs = append(descs, forwardSpec(it.spec).describe(it.server))
	}
	return descs, reverseOut
}

// internetAddr: a public unicast address (not private, loopback, link-local
// or documentation... documentation ranges count as internet: they stand
// for it in examples and tests).
func internetAddr(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate()
}
