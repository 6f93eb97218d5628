package auditd

import (
	"net/url"
	"path"
	"strconv"
	"strings"
)

// SSHInvocation is what an ssh/scp/sftp command line says about the
// connection: where it goes and which tunnels it opens.
type SSHInvocation struct {
	Program    string   // ssh, scp, sftp (the wrapped one for sshpass/autossh)
	Host       string   // destination host as typed (alias or address)
	Port       int      // -p / -P / -o Port= / ssh://host:port
	RemoteUser string   // user@host, -l, -o User=
	Forwards   []string // "L:8080:10.0.0.5:3389", "R:...", "D:1080", "W:0:1", "J:bastion"
}

// Forward returns the forward specs space-separated, as stored in Event.Forward.
func (s SSHInvocation) Forward() string { return strings.Join(s.Forwards, " ") }

// Option letters that take an argument, per program (OpenSSH 9.x getopt strings).
var argFlags = map[string]string{
	"ssh":  "BbcDEeFIiJLlmOoPpQRSWw",
	"scp":  "cDFiJlOoPSX",
	"sftp": "BbcDFiJlOoPRSsX",
}

// ParseSSHArgs reads argv of ssh, scp, sftp, sshpass or autossh (argv[0] may
// be a path). Unknown programs give a zero value.
func ParseSSHArgs(argv []string) SSHInvocation {
	var inv SSHInvocation
	if len(argv) == 0 {
		return inv
	}
	prog := path.Base(argv[0])
	switch prog {
	case "sshpass":
		return ParseSSHArgs(skipOpts(argv[1:], "fdpP"))
	case "autossh":
		// autossh's own -M port, -f, -V; everything else goes to ssh.
		rest := argv[1:]
		var keep []string
		for i := 0; i < len(rest); i++ {
			switch {
			case rest[i] == "-M" && i+1 < len(rest):
				i++
			case strings.HasPrefix(rest[i], "-M"), rest[i] == "-V":
			default:
				keep = append(keep, rest[i])
			}
		}
		return ParseSSHArgs(append([]string{"ssh"}, keep...))
	}
	flags, ok := argFlags[prog]
	if !ok {
		return inv
	}
	inv.Program = prog
	var operands []string
	args := argv[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			// ssh re-reads options after the destination; the first word
			// after that starts the remote command.
			if prog == "ssh" && len(operands) > 1 {
				operands = append(operands, args[i+1:]...)
				break
			}
			continue
		}
		// Combined short flags: -fNL 8080:h:80, -L8080:h:80, -p2222.
		for j := 1; j < len(a); j++ {
			c := a[j]
			if strings.IndexByte(flags, c) < 0 {
				continue
			}
			val := a[j+1:]
			if val == "" && i+1 < len(args) {
				i++
				val = args[i]
			}
			inv.option(c, val)
			break
		}
	}
	inv.destination(operands)
	return inv
}

// skipOpts drops a wrapper's own options (those in withArg take a value) and
// returns the wrapped command line.
func skipOpts(args []string, withArg string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return args[i+1:]
		}
		if len(a) < 2 || a[0] != '-' {
			return args[i:]
		}
		if strings.IndexByte(withArg, a[1]) >= 0 && len(a) == 2 {
			i++
		}
	}
	return nil
}

func (inv *SSHInvocation) option(c byte, val string) {
	switch {
	case c == 'L' && inv.Program == "ssh", c == 'R' && inv.Program == "ssh",
		c == 'D' && inv.Program == "ssh", c == 'J':
		inv.addForward(string(c), val)
	case c == 'w' && inv.Program == "ssh":
		inv.addForward("W", val)
	case c == 'p' && inv.Program == "ssh", c == 'P' && inv.Program != "ssh":
		if n, err := strconv.Atoi(val); err == nil && n > 0 && n < 65536 {
			inv.Port = n
		}
	case c == 'l' && inv.Program == "ssh":
		inv.RemoteUser = val
	case c == 'o':
		inv.config(val)
	}
}

// config reads -o Key=Value or -o "Key Value" (keys are case-insensitive).
func (inv *SSHInvocation) config(opt string) {
	opt = strings.TrimSpace(opt)
	k := strings.IndexAny(opt, "= \t")
	if k < 0 {
		return
	}
	key := strings.ToLower(opt[:k])
	val := strings.TrimLeft(opt[k:], "= \t")
	switch key {
	case "localforward":
		inv.addForward("L", val)
	case "remoteforward":
		inv.addForward("R", val)
	case "dynamicforward":
		inv.addForward("D", val)
	case "proxyjump":
		if !strings.EqualFold(val, "none") {
			inv.addForward("J", val)
		}
	case "port":
		if n, err := strconv.Atoi(val); err == nil && n > 0 && n < 65536 {
			inv.Port = n
		}
	case "user":
		inv.RemoteUser = val
	}
}

// addForward stores "K:spec". Blanks inside the spec (the config syntax
// "8080 host:80") become ':' so one argument can never forge a second entry
// in the space-separated list.
func (inv *SSHInvocation) addForward(kind, spec string) {
	spec = strings.Join(strings.FieldsFunc(spec, func(r rune) bool { return r <= ' ' || r == 0x7f }), ":")
	if spec == "" {
		return
	}
	inv.Forwards = append(inv.Forwards, kind+":"+spec)
}

// destination finds the remote end in the operands: ssh's first operand,
// sftp's only one, scp's first remote (host:path) one.
func (inv *SSHInvocation) destination(ops []string) {
	switch inv.Program {
	case "ssh", "sftp":
		if len(ops) > 0 {
			inv.target(ops[0], inv.Program == "sftp")
		}
	case "scp":
		for _, op := range ops {
			if remoteOperand(op) {
				inv.target(op, true)
				return
			}
		}
	}
}

// remoteOperand reports whether an scp operand names a remote file: scp://
// or host:path with the colon before any slash.
func remoteOperand(op string) bool {
	if strings.HasPrefix(op, "scp://") {
		return true
	}
	c := strings.IndexByte(op, ':')
	s := strings.IndexByte(op, '/')
	return c > 0 && (s < 0 || c < s)
}

// target reads [user@]host[:path], [user@][v6]:path or ssh://user@host:port/.
func (inv *SSHInvocation) target(op string, hasPath bool) {
	if i := strings.Index(op, "://"); i > 0 {
		u, err := url.Parse(op)
		if err != nil || u.Hostname() == "" {
			return
		}
		inv.Host = u.Hostname()
		if u.User != nil && u.User.Username() != "" {
			inv.RemoteUser = u.User.Username()
		}
		if n, err := strconv.Atoi(u.Port()); err == nil && n > 0 && n < 65536 {
			inv.Port = n
		}
		return
	}
	if hasPath {
		// host:path, user@[v6addr]:path: the host part ends at the first
		// colon outside brackets; the path may hold '@' and ':'.
		depth := 0
		for i := 0; i < len(op); i++ {
			switch op[i] {
			case '[':
				depth++
			case ']':
				depth--
			case ':':
				if depth <= 0 {
					op = op[:i]
					i = len(op)
				}
			}
		}
	}
	// ssh splits user@host at the last '@' (user names may hold one).
	if at := strings.LastIndexByte(op, '@'); at >= 0 {
		inv.RemoteUser = op[:at]
		op = op[at+1:]
	}
	op = strings.TrimSuffix(strings.TrimPrefix(op, "["), "]")
	inv.Host = op
}
