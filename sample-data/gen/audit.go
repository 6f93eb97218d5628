package gen

import "strings"

// auditLog writes a host's /var/log/audit/audit.log (with node=, as
// `log_format = ENRICHED` and `name_format = HOSTNAME` write it).
type auditLog struct {
	o      *out
	serial int64
}

func (a *auditLog) head(b []byte, h *host, typ string, us int64) []byte {
	a.serial++
	return stamp(b, h, typ, a.o.mono(us), a.serial)
}

// stamp appends "node=H type=T msg=audit(1772444087.800:81201): ".
func stamp(b []byte, h *host, typ string, us, serial int64) []byte {
	b = append(b, "node="...)
	b = append(b, h.name...)
	b = append(b, " type="...)
	b = append(b, typ...)
	b = append(b, " msg=audit("...)
	b = appendEpoch(b, us, 3)
	b = append(b, ':')
	b = appendInt(b, int(serial))
	return append(b, "): "...)
}

// pam writes one sshd PAM record (USER_AUTH, USER_START, USER_END): one event.
func (a *auditLog) pam(h *host, us int64, typ, op string, s *session, ok bool) {
	b := a.head(a.o.buf[:0], h, typ, us)
	b = append(b, "pid="...)
	b = appendInt(b, s.pid)
	b = append(b, " uid=0 auid="...)
	if typ == "USER_AUTH" {
		b = append(b, "4294967295 ses=4294967295"...)
	} else {
		b = appendInt(b, s.u.uid)
		b = append(b, " ses="...)
		b = appendInt(b, s.ses)
	}
	b = append(b, " subj=unconfined msg='op=PAM:"...)
	b = append(b, op...)
	b = append(b, " grantors="...)
	switch {
	case !ok:
		b = append(b, '?')
	case typ == "USER_AUTH":
		b = append(b, "pam_unix"...)
	default:
		b = append(b, "pam_loginuid,pam_keyinit,pam_permit,pam_umask,pam_unix,pam_systemd"...)
	}
	b = append(b, ` acct="`...)
	b = append(b, s.u.name...)
	b = append(b, `" exe="/usr/sbin/sshd" hostname=`...)
	b = appendIP(b, s.src)
	b = append(b, " addr="...)
	b = appendIP(b, s.src)
	b = append(b, " terminal=ssh res="...)
	if ok {
		b = append(b, "success'\n"...)
	} else {
		b = append(b, "failed'\n"...)
	}
	a.o.buf = b
	a.o.write(b, true)
}

// exec writes SYSCALL, EXECVE, CWD, PROCTITLE and EOE of one execve: one
// event when the program is ssh/scp/sftp, ignored otherwise.
func (a *auditLog) exec(h *host, us int64, pid, ppid, ses int, u *user, argv []string, event bool) {
	a.serial++
	serial := a.serial
	us = a.o.mono(us)
	st := func(b []byte, typ string) []byte { return stamp(b, h, typ, us, serial) }
	exe := "/usr/bin/" + argv[0]
	b := st(a.o.buf[:0], "SYSCALL")
	b = append(b, "arch=c000003e syscall=59 success=yes exit=0 a0=55e1c0a3b2f0 a1=55e1c0a3c010 a2=55e1c0a39e60 a3=8 items=2 ppid="...)
	b = appendInt(b, ppid)
	b = append(b, " pid="...)
	b = appendInt(b, pid)
	for _, k := range []string{" auid=", " uid=", " gid=", " euid=", " suid=", " fsuid=", " egid=", " sgid=", " fsgid="} {
		b = append(b, k...)
		b = appendInt(b, u.uid)
	}
	b = append(b, " tty=pts0 ses="...)
	b = appendInt(b, ses)
	b = append(b, ` comm="`...)
	b = append(b, argv[0]...)
	b = append(b, `" exe="`...)
	b = append(b, exe...)
	b = append(b, `" subj=unconfined key="exec"`+"\n"...)
	a.o.write(b, event)
	b = st(b[:0], "EXECVE")
	b = append(b, "argc="...)
	b = appendInt(b, len(argv))
	for i, arg := range argv {
		b = append(b, " a"...)
		b = appendInt(b, i)
		b = append(b, '=')
		if needsHex(arg) {
			b = appendHex(b, arg)
		} else {
			b = append(b, '"')
			b = append(b, arg...)
			b = append(b, '"')
		}
	}
	b = append(b, '\n')
	a.o.write(b, false)
	b = st(b[:0], "CWD")
	b = append(b, `cwd="/home/`...)
	b = append(b, u.name...)
	b = append(b, "\"\n"...)
	a.o.write(b, false)
	b = st(b[:0], "PROCTITLE")
	b = append(b, "proctitle="...)
	b = appendHex(b, strings.Join(argv, "\x00"))
	b = append(b, '\n')
	a.o.write(b, false)
	b = st(b[:0], "EOE")
	b = append(b, '\n')
	a.o.write(b, false)
	a.o.buf = b
}

// needsHex is the kernel's rule (audit_string_contains_control): a quote,
// a space, a control or a non-ASCII byte makes auditd log the argument in hex.
func needsHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c < 0x21 || c > 0x7e {
			return true
		}
	}
	return false
}
