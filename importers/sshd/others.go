package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// classifySudo: "U : TTY=pts/0 ; PWD=/x ; USER=root ; COMMAND=/bin/ls" (one
// run is one command event), failures with a reason before TTY=
// ("3 incorrect password attempts", "user NOT in sudoers"), pam lines, and
// "(command continued) ..." (the rest of a long command; kept as "other" so
// the command is not counted twice).
func classifySudo(ev *schema.Event, s string) bool {
	if strings.HasPrefix(s, "pam_") {
		return classifyPAM(ev, "sudo", s)
	}
	user, rest, ok := strings.Cut(s, " : ")
	if !ok {
		return false
	}
	ev.User = strings.TrimSpace(user)
	if c, ok := strings.CutPrefix(rest, "(command continued) "); ok {
		ev.Command = c
		ev.Reason = "command continued"
		return true
	}
	failed := false
	cmd := ""
	if i := strings.Index(rest, "COMMAND="); i >= 0 {
		cmd = rest[i+len("COMMAND="):]
		rest = rest[:i]
	}
	for f := range strings.SplitSeq(rest, " ; ") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
		case strings.HasPrefix(f, "TTY="):
			ev.TTY = f[4:]
		case strings.HasPrefix(f, "USER="):
			ev.Reason = joinReason(ev.Reason, "as "+f[5:])
		case strings.HasPrefix(f, "PWD="), strings.HasPrefix(f, "GROUP="), strings.HasPrefix(f, "ENV="), strings.HasPrefix(f, "TSID="):
		default:
			failed = true
			ev.Reason = joinReason(f, ev.Reason)
		}
	}
	if cmd == "" && !failed {
		return false
	}
	ev.Command = cmd
	if failed {
		return set(ev, schema.ActionCommand, schema.OutcomeFailure)
	}
	return set(ev, schema.ActionCommand, schema.OutcomeSuccess)
}

func joinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// classifySu: shadow su ("Successful su for U by V", "FAILED su for U by V")
// and util-linux su ("(to U) V on pts/0", "FAILED SU (to U) V on pts/0").
func classifySu(ev *schema.Event, s string) bool {
	if strings.HasPrefix(s, "pam_") {
		return classifyPAM(ev, "su", s)
	}
	if t, ok := strings.CutPrefix(s, "Successful su for "); ok {
		target, by, _ := strings.Cut(t, " by ")
		ev.User, ev.Command = by, "su "+target
		ev.Reason = "su succeeded (the command event is the pam session line)"
		ev.Outcome = schema.OutcomeSuccess
		return true
	}
	if t, ok := strings.CutPrefix(s, "FAILED su for "); ok {
		target, by, _ := strings.Cut(t, " by ")
		ev.User, ev.Command = by, "su "+target
		return set(ev, schema.ActionCommand, schema.OutcomeFailure)
	}
	failed := false
	t := s
	if u, ok := strings.CutPrefix(t, "FAILED SU "); ok {
		t, failed = u, true
	}
	if u, ok := strings.CutPrefix(t, "(to "); ok {
		target, rest, ok := strings.Cut(u, ") ")
		if !ok {
			return false
		}
		by, tty, _ := strings.Cut(rest, " on ")
		ev.User, ev.Command, ev.TTY = by, "su "+target, tty
		if failed {
			return set(ev, schema.ActionCommand, schema.OutcomeFailure)
		}
		ev.Reason = "su succeeded (the command event is the pam session line)"
		ev.Outcome = schema.OutcomeSuccess
		return true
	}
	return false
}

// classifyLogind: "New session 12 of user alice." / "Removed session 12.".
func classifyLogind(ev *schema.Event, s string) bool {
	if t, ok := strings.CutPrefix(s, "New session "); ok {
		id, user, ok := strings.Cut(t, " of user ")
		if !ok {
			return false
		}
		ev.User = strings.TrimSuffix(user, ".")
		ev.Reason = "logind session " + id
		return set(ev, schema.ActionSessionOpen, schema.OutcomeSuccess)
	}
	if t, ok := strings.CutPrefix(s, "Removed session "); ok {
		ev.Reason = "logind session " + strings.TrimSuffix(t, ".")
		return set(ev, schema.ActionSessionClose, schema.OutcomeSuccess)
	}
	return false
}
