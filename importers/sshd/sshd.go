// Package sshd classifies the messages of sshd (and sshd-session, sshd-auth),
// and of the programs around an SSH login (sudo, su, systemd-logind, pam_unix),
// into index.Events. It is the one classifier shared by every importer that
// carries these messages: auth logs, journald and macOS unified logs.
//
// Choices where DESIGN.md is silent (one attempt is one event):
//   - Lines that accompany an attempt without being one (`input_userauth_request:
//     invalid user`, `User U from A not allowed because ...`, `ROOT LOGIN
//     REFUSED`, `error: PAM: ...`, `pam_succeed_if`, `Authentication refused`)
//     are action "pam", outcome failure, like the PAM lines of the table.
//   - `reverse mapping checking getaddrinfo ... POSSIBLE BREAK-IN ATTEMPT` and
//     `Address A maps to H, but this does not map back` are logged when a
//     client connects: action "connection" with the text in Reason.
//   - Everything that ends a connection before or after login (`Did not
//     receive identification string`, `banner exchange`, `kex_exchange_identification`,
//     `Unable to negotiate`, `Bad protocol version`, `refused connect`,
//     `drop connection #N`, socket errors, `Timeout before authentication`)
//     is "disconnect"; forms that can only happen before authentication are
//     outcome failure even without a `[preauth]` tag.
//   - `srclimit_penalise` (OpenSSH >= 9.8 PerSourcePenalties) is "notice".
//   - `subsystem request for sftp by user U` is "command" with Command "sftp".
//   - Methods are normalised to the DESIGN.md list: keyboard-interactive/pam
//     is keyboard-interactive (the full text stays in Message).
//   - su: one su is one "command" event. The pam_unix(su:session) opened line
//     is that event (both shadow and util-linux su write it); `Successful su`
//     and `(to root) alice on pts/0` are second records of the same su and are
//     kept as "other" (known form, Classify returns true). `FAILED su` lines
//     are the command failure. sudo's own `U : ... COMMAND=` line is its
//     command; sudo's pam_unix session lines are kept as "other" (known).
//   - Source anchoring: see fromAnchor.
package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// Wanted reports whether lines of program are read by sshtrail. The old
// Linux-PAM tag "sshd(pam_unix)" (and "su(pam_unix)"...) counts as its program.
func Wanted(program string) bool {
	switch base(program) {
	case "sshd", "sshd-session", "sshd-auth", "sudo", "su", "systemd-logind":
		return true
	}
	return false
}

// KeepUnknown reports whether lines of program that Classify does not know
// are still kept (as action "other"): true for sshd, whose lines are never
// dropped; false for sudo, su and systemd-logind, whose unknown lines
// (sendmail errors, power buttons) are counted as ignored.
func KeepUnknown(program string) bool {
	switch base(program) {
	case "sshd", "sshd-session", "sshd-auth":
		return true
	}
	return false
}

// base strips a "(pam_unix)" style tag: "sshd(pam_unix)" -> "sshd".
func base(program string) string {
	if i := strings.IndexByte(program, '('); i > 0 {
		return program[:i]
	}
	return program
}

// Classify fills ev (Action, Outcome, User, SrcIP, ...) from msg, the message
// text after the syslog header, written by program. It sets ev.Program and
// ev.Message. It returns false when the message is of no known form; ev.Action
// is then "other" (sshd lines are never dropped; see KeepUnknown).
func Classify(ev *schema.Event, program, msg string) bool {
	b := base(program)
	ev.Program = b
	ev.Message = msg
	ev.Action = schema.ActionOther
	ev.Outcome = schema.OutcomeUnknown
	if b != program {
		// "sshd(pam_unix)[pid]: session opened ...": old Linux-PAM puts the
		// module in the tag and leaves it out of the text.
		return classifyPAMText(ev, b, "", msg)
	}
	switch b {
	case "sshd", "sshd-session", "sshd-auth":
		return classifySSHD(ev, msg)
	case "sudo":
		return classifySudo(ev, msg)
	case "su":
		return classifySu(ev, msg)
	case "systemd-logind":
		return classifyLogind(ev, msg)
	}
	return false
}

func set(ev *schema.Event, action, outcome string) bool {
	ev.Action = action
	ev.Outcome = outcome
	return true
}

// classifySSHD handles the sshd family. The message is cut into a severity
// prefix ("error: ", "fatal: "), the body and a privsep tag ("[preauth]").
func classifySSHD(ev *schema.Event, msg string) bool {
	s := msg
	for {
		switch {
		case strings.HasPrefix(s, "error: "):
			s = s[7:]
			continue
		case strings.HasPrefix(s, "fatal: "):
			s = s[7:]
			continue
		}
		break
	}
	s = strings.TrimRight(s, " ")
	preauth := false
	if t, ok := strings.CutSuffix(s, " [preauth]"); ok {
		s, preauth = strings.TrimRight(t, " "), true
	} else if t, ok := strings.CutSuffix(s, "[preauth]"); ok {
		s, preauth = strings.TrimRight(t, " "), true
	}
	if s == "" {
		return false
	}
	switch s[0] {
	case 'A':
		if strings.HasPrefix(s, "Accepted ") {
			return authLine(ev, s, len("Accepted "), schema.ActionAuthSuccess, schema.OutcomeSuccess)
		}
		if strings.HasPrefix(s, "Address ") {
			return addressMaps(ev, s)
		}
		if strings.HasPrefix(s, "Authentication refused: ") {
			ev.Reason = s[len("Authentication refused: "):]
			return set(ev, schema.ActionPAM, schema.OutcomeFailure)
		}
	case 'F':
		if strings.HasPrefix(s, "Failed ") {
			return authLine(ev, s, len("Failed "), schema.ActionAuthFailure, schema.OutcomeFailure)
		}
	case 'P':
		switch {
		case strings.HasPrefix(s, "Postponed "):
			return authLine(ev, s, len("Postponed "), schema.ActionAuthPartial, schema.OutcomeUnknown)
		case strings.HasPrefix(s, "Partial "):
			return authLine(ev, s, len("Partial "), schema.ActionAuthPartial, schema.OutcomeUnknown)
		case strings.HasPrefix(s, "PAM: "):
			return pamError(ev, s[5:])
		case strings.HasPrefix(s, "PAM "):
			return pamMore(ev, s)
		}
	case 'I', 'i':
		switch {
		case strings.HasPrefix(s, "Invalid user "):
			return invalidUser(ev, s[len("Invalid user "):])
		case strings.HasPrefix(s, "Illegal user "):
			return invalidUser(ev, s[len("Illegal user "):])
		case strings.HasPrefix(s, "input_userauth_request: "):
			return userauthRequest(ev, s[len("input_userauth_request: "):])
		}
	case 'p':
		if strings.HasPrefix(s, "pam_") {
			return classifyPAM(ev, "sshd", s)
		}
	}
	if ok := classifyConn(ev, s, preauth); ok {
		return true
	}
	if classifyMisc(ev, s) {
		return true
	}
	return classifyLongTail(ev, s, preauth)
}
