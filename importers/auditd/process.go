package auditd

import (
	"path"
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// clientProgram reports the SSH client programs whose execs become "process" events.
func clientProgram(name string) bool {
	switch name {
	case "ssh", "scp", "sftp", "sshpass", "autossh":
		return true
	}
	return false
}

// execveSyscall reports whether a SYSCALL record is an execve/execveat: by
// name when ausearch -i interpreted it, else by number for the common arches.
func execveSyscall(arch, nr string) bool {
	switch nr {
	case "execve", "execveat":
		return true
	}
	switch arch {
	case "c000003e", "x86_64": // x86_64
		return nr == "59" || nr == "322"
	case "40000003", "i386", "40000028", "arm": // i386, arm
		return nr == "11" || nr == "358" || nr == "387"
	case "c00000b7", "aarch64", "c00000f3", "riscv64": // generic syscall table
		return nr == "221" || nr == "281"
	}
	return false
}

// processGroup is what processEvent needs from the records of one event.
type processGroup struct {
	syscall   *Record
	execve    [][]Field
	proctitle *Record
	cwd       string
}

func collect(recs []*Record) processGroup {
	var g processGroup
	for _, r := range recs {
		switch r.Type {
		case "SYSCALL":
			if g.syscall == nil {
				g.syscall = r
			}
		case "EXECVE":
			g.execve = append(g.execve, r.Fields)
		case "PROCTITLE":
			g.proctitle = r
		case "CWD":
			g.cwd = r.Get("cwd")
		}
	}
	return g
}

// processEvent fills ev from the records of one kernel event when it is an
// exec of an SSH client. incomplete reports that the event lacks its
// SYSCALL or its argv (cut at a file boundary or out of the window).
func processEvent(ev *schema.Event, recs []*Record) (remoteUser string, ok, incomplete bool) {
	g := collect(recs)
	var argv []string
	complete := false
	if len(g.execve) > 0 {
		argv, complete = ExecveArgs(g.execve)
	}
	if len(argv) == 0 && g.proctitle != nil {
		f, _ := lookup(g.proctitle.Fields, "proctitle")
		argv = ProctitleArgs(f)
	}
	prog := ""
	if g.syscall != nil {
		if len(g.execve) == 0 && !execveSyscall(g.syscall.Outer("arch"), g.syscall.Outer("syscall")) {
			return "", false, false // an ssh process doing something else (connect, open...)
		}
		prog = path.Base(g.syscall.Get("exe"))
	} else if len(argv) > 0 {
		prog = path.Base(argv[0])
	}
	if !clientProgram(prog) || len(argv) == 0 && g.syscall == nil {
		return "", false, false
	}
	incomplete = g.syscall == nil || len(g.execve) == 0 || !complete
	ev.Action = schema.ActionProcess
	ev.Program = prog
	ev.Outcome = schema.OutcomeSuccess
	ev.Command = strings.Join(argv, " ")
	if s := g.syscall; s != nil {
		if s.Outer("success") == "no" {
			ev.Outcome = schema.OutcomeFailure
		}
		ev.PID, _ = atoiSmall(s.Outer("pid"))
		auid := s.Outer("auid")
		switch {
		case auid == unsetID || auid == "unset":
		case digits(auid):
			ev.UID = auid // named from the file's login records (names.go), else left unnamed
		default: // ausearch -i wrote the name
			ev.User = auid
		}
		if name := enrichedName(s, "AUID"); name != "" {
			ev.User = name
		}
		if ses := s.Outer("ses"); ses != unsetID && ses != "unset" {
			ev.Ses = ses
		}
		if tty := s.Outer("tty"); tty != "(none)" {
			ev.TTY = tty
		}
	}
	if len(argv) > 0 {
		argv0 := append([]string{prog}, argv[1:]...)
		inv := ParseSSHArgs(argv0)
		ev.Forward = inv.Forward()
		ev.DstHost = inv.Host
		ev.DstPort = inv.Port
		if a := addr(inv.Host); a != "" {
			ev.DstIP = a
		}
		remoteUser = inv.RemoteUser
	}
	return remoteUser, true, incomplete
}
