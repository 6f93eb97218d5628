package gen

import (
	"math/rand/v2"
	"strconv"
)

// The simulated estate: hosts with their log kinds, users with their
// workstations and keys, and the outside world's scanners.

type logKind int

const (
	kindNone    logKind = iota
	kindAuthLog         // Debian/Ubuntu auth.log, RFC 3164
	kindSecure          // RHEL secure, rsyslog ISO 8601
	kindJournal         // journalctl -o json
	kindUnified         // macOS log show --style ndjson
)

type host struct {
	name      string
	ip        uint32
	kind      logKind
	log       hostLog   // nil: no host log written
	audit     *auditLog // nil: no auditd
	machineID string
	bootUUID  string
	bootUS    int64
	pid       int // last pid handed out
	logind    int // last logind session
	ses       int // last audit session
	server    string
	hostKey   string
}

// silent reports whether nothing is written on the host itself.
func (h *host) silent() bool { return h.log == nil && h.audit == nil }

func (h *host) nextPID(r *rand.Rand) int {
	h.pid += 1 + r.IntN(40)
	if h.pid > 4194000 {
		h.pid = 1000
	}
	return h.pid
}

type user struct {
	name    string
	uid     int
	ws      uint32 // workstation address
	keyType string
	keyFP   string
}

var roles = []string{"app", "cache", "mq", "git", "mon", "log", "ci", "proxy", "files", "api", "web", "db", "build", "dns", "mail"}

var firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
	"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yolanda",
	"anna", "boris", "chen", "dmitri", "elena", "farid", "gita", "hiro", "ines", "jonas"}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func randString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func ip4(a, b, c, d int) uint32 { return uint32(a)<<24 | uint32(b)<<16 | uint32(c)<<8 | uint32(d) }

// Fixed hosts the planted attacks use (indexes into world.hosts).
const (
	hBastion = 0 // auth.log + auditd: the pivot, the tunnel
	hWeb     = 1 // auth.log: brute-forced from outside
	hDB      = 2 // secure: postgres logon
	hBuild   = 3 // journal
	hMac     = 4 // unified
	minHosts = 5
)

// kindFor is the log kind of host i when every format is wanted.
func kindFor(i int) logKind {
	switch i {
	case hBastion, hWeb:
		return kindAuthLog
	case hDB:
		return kindSecure
	case hBuild:
		return kindJournal
	case hMac:
		return kindUnified
	}
	return [...]logKind{kindAuthLog, kindSecure, kindAuthLog, kindJournal, kindAuthLog, kindSecure, kindJournal, kindAuthLog, kindAuthLog, kindUnified}[(i-minHosts)%10]
}

func hostName(i int) string {
	switch i {
	case hBastion:
		return "bastion01"
	case hWeb:
		return "web01"
	case hDB:
		return "db01"
	case hBuild:
		return "build01"
	case hMac:
		return "macdev01"
	}
	k := i - minHosts
	role := roles[k%len(roles)]
	n := k/len(roles) + 1
	if role == "web" || role == "db" || role == "build" {
		n++
	}
	s := strconv.Itoa(n)
	if n < 10 {
		s = "0" + s
	}
	if kindFor(i) == kindUnified {
		role = "macdev"
		s = strconv.Itoa(100 + i)
	}
	return role + s
}

var servers = map[logKind]string{
	kindAuthLog: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
	kindSecure:  "SSH-2.0-OpenSSH_8.7",
	kindJournal: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5",
	kindUnified: "SSH-2.0-OpenSSH_9.8",
	kindNone:    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
}

var clients = []string{"SSH-2.0-OpenSSH_9.6", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "SSH-2.0-OpenSSH_for_Windows_9.5", "SSH-2.0-PuTTY_Release_0.81", "SSH-2.0-OpenSSH_9.8"}

// Scanners come from a handful of busy public networks.
var scanNets = [][3]int{{45, 133, 1}, {185, 220, 101}, {193, 32, 162}, {103, 145, 13}, {61, 177, 172}, {218, 92, 0}, {141, 98, 10}, {2, 57, 122}, {80, 94, 95}, {159, 223, 48}}

var scanUsers = []string{"admin", "test", "oracle", "ubuntu", "user", "ftpuser", "git", "pi", "guest", "support", "deployer", "minecraft", "hadoop", "teamspeak", "nagios", "user1", "steam", "es", "centos", "tomcat"}

var sudoCommands = []string{
	"/usr/bin/systemctl restart nginx.service", "/usr/bin/apt-get update", "/usr/bin/journalctl -u app.service -n 200",
	"/usr/bin/systemctl status postgresql", "/usr/bin/tail -n 100 /var/log/syslog", "/usr/bin/docker ps",
	"/usr/sbin/reboot", "/usr/bin/vim /etc/hosts", "/usr/bin/du -sh /var/lib", "/usr/bin/dnf -y upgrade",
}

// The planted attack's addresses.
var (
	attacker = ip4(198, 51, 100, 77)
	winHost  = ip4(10, 20, 50, 5) // a Windows file server, no logs of its own
)

func newWorld(r *rand.Rand, nHosts int, startUS int64) ([]*host, []*user) {
	hosts := make([]*host, nHosts)
	for i := range hosts {
		h := &host{
			name:      hostName(i),
			ip:        ip4(10, 20, 1+i/200, 10+i%200),
			kind:      kindFor(i),
			machineID: randString(r, "0123456789abcdef", 32),
			bootUUID:  randString(r, "0123456789ABCDEF", 8) + "-4E2C-3A87-9D51-" + randString(r, "0123456789ABCDEF", 12),
			bootUS:    startUS - int64(1+r.IntN(30))*86400e6,
			pid:       1000 + r.IntN(5000),
			logind:    r.IntN(300),
			ses:       r.IntN(300),
			hostKey:   "SHA256:" + randString(r, b64, 43),
		}
		h.server = servers[h.kind]
		hosts[i] = h
	}
	users := make([]*user, 0, 60)
	for i := 0; i < 60; i++ {
		name := firstNames[i%len(firstNames)]
		if i >= len(firstNames) {
			name += strconv.Itoa(i / len(firstNames))
		}
		u := &user{name: name, uid: 1000 + i, ws: ip4(10, 30, i/200, 20+i%200), keyType: "ED25519", keyFP: "SHA256:" + randString(r, b64, 43)}
		if i%4 == 3 {
			u.keyType = "RSA"
		}
		users = append(users, u)
	}
	// Service accounts with their own runners.
	users = append(users,
		&user{name: "deploy", uid: 1100, ws: ip4(10, 30, 9, 30), keyType: "ED25519", keyFP: "SHA256:" + randString(r, b64, 43)},
		&user{name: "backup", uid: 1101, ws: ip4(10, 30, 9, 31), keyType: "RSA", keyFP: "SHA256:" + randString(r, b64, 43)},
		&user{name: "ansible", uid: 1102, ws: ip4(10, 30, 9, 32), keyType: "ED25519", keyFP: "SHA256:" + randString(r, b64, 43)},
	)
	return hosts, users
}
