package sshd

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// classifyPAM handles "pam_<module>(<service>:<type>): <text>" as written by
// any of the wanted programs.
func classifyPAM(ev *schema.Event, program, s string) bool {
	open := strings.IndexByte(s, '(')
	cl := strings.Index(s, "): ")
	if open < 0 || cl < open {
		return false
	}
	module, svc := s[:open], s[open+1:cl]
	text := s[cl+3:]
	if module != "pam_unix" {
		return pamOther(ev, text)
	}
	return classifyPAMText(ev, program, svc, text)
}

// classifyPAMText reads a pam_unix text. svc is "sshd:auth", "su-l:session"...
// or "" for the old "sshd(pam_unix)" tag (the type is then read from the text).
func classifyPAMText(ev *schema.Event, program, svc, text string) bool {
	switch {
	case strings.HasPrefix(text, "authentication failure;"):
		pamKV(ev, text)
		return set(ev, schema.ActionPAM, schema.OutcomeFailure)
	case strings.HasPrefix(text, "check pass; user unknown"):
		ev.Reason = "user unknown"
		return set(ev, schema.ActionPAM, schema.OutcomeFailure)
	case strings.HasPrefix(text, "session opened for user "):
		return pamSession(ev, program, text[len("session opened for user "):], true)
	case strings.HasPrefix(text, "session closed for user "):
		return pamSession(ev, program, text[len("session closed for user "):], false)
	}
	return pamOther(ev, text)
}

// pamOther: pam_succeed_if, pam_systemd, pam_sss ... not attempts themselves.
func pamOther(ev *schema.Event, text string) bool {
	if i := strings.Index(text, "not met by user \""); i >= 0 {
		ev.User = strings.TrimSuffix(text[i+len("not met by user \""):], "\"")
	}
	if strings.HasPrefix(text, "authentication failure;") {
		pamKV(ev, text)
	}
	out := schema.OutcomeUnknown
	if containsFold(text, "fail") || containsFold(text, "denied") || containsFold(text, "error") ||
		strings.Contains(text, "not met") {
		out = schema.OutcomeFailure
	}
	return set(ev, schema.ActionPAM, out)
}

func containsFold(s, sub string) bool {
	return strings.Contains(s, sub) || strings.Contains(strings.ToLower(s), sub)
}

// pamKV reads "logname= uid=0 euid=0 tty=ssh ruser= rhost=H  user=U".
func pamKV(ev *schema.Event, text string) {
	rh, ok := kv(text, "rhost=")
	if ok {
		ev.SrcIP = host(rh)
	}
	// user= is PAM's last field and its value may hold spaces: take it
	// after the rhost value rather than searching the whole line.
	after := text
	if ok {
		if i := strings.Index(text, "rhost="+rh); i >= 0 {
			after = text[i+len("rhost=")+len(rh):]
		}
	}
	if i := strings.Index(after, " user="); i >= 0 {
		ev.User = strings.TrimRight(after[i+len(" user="):], " ")
	}
}

// pamSession: "U[(uid=N)] by [V](uid=M)". For sshd it is the login's
// session (user U); for su it is the su itself (user V running "su U").
func pamSession(ev *schema.Event, program, s string, opened bool) bool {
	target, by, _ := strings.Cut(s, " by ")
	user, uid := nameUID(target)
	switch program {
	case "su":
		if !opened {
			ev.User, ev.UID = user, uid
			ev.Reason = "su session closed"
			return set(ev, schema.ActionOther, schema.OutcomeSuccess)
		}
		invoker, iuid := nameUID(by)
		ev.User, ev.UID = invoker, iuid
		ev.Command = "su " + user
		return set(ev, schema.ActionCommand, schema.OutcomeSuccess)
	case "sudo":
		ev.User, ev.UID = user, uid
		if opened {
			ev.Reason = "sudo session opened by " + by
		} else {
			ev.Reason = "sudo session closed"
		}
		return set(ev, schema.ActionOther, schema.OutcomeSuccess)
	}
	ev.User, ev.UID = user, uid
	if opened {
		return set(ev, schema.ActionSessionOpen, schema.OutcomeSuccess)
	}
	return set(ev, schema.ActionSessionClose, schema.OutcomeSuccess)
}

// nameUID splits "alice(uid=1000)" into alice and 1000.
func nameUID(s string) (string, string) {
	i := strings.LastIndex(s, "(uid=")
	if i < 0 || !strings.HasSuffix(s, ")") {
		return s, ""
	}
	return s[:i], s[i+len("(uid=") : len(s)-1]
}

// pamError: sshd's own PAM messages after "error: PAM: ":
// "Authentication failure for [illegal user ]U from H",
// "User not known to the underlying authentication module for illegal user U from H".
func pamError(ev *schema.Event, s string) bool {
	ev.Reason = s
	if i := strings.Index(s, " for "); i >= 0 {
		ev.Reason = s[:i]
		if a, ok := fromAnchor(s, false); ok && a.start >= i {
			ev.User, _ = cutInvalid(s[i+len(" for ") : max(i+len(" for "), a.start)])
			ev.SrcIP, ev.SrcPort = a.host, a.port
		} else {
			ev.User, _ = cutInvalid(s[i+len(" for "):])
		}
	}
	return set(ev, schema.ActionPAM, schema.OutcomeFailure)
}

// pamMore: "PAM 4 more authentication failures; logname= ... rhost=H  user=U"
// and "PAM service(sshd) ignoring max retries; 5 > 3".
func pamMore(ev *schema.Event, s string) bool {
	head, rest, _ := strings.Cut(s, ";")
	ev.Reason = head
	if strings.Contains(head, "more authentication failure") {
		pamKV(ev, rest)
	}
	return set(ev, schema.ActionPAM, schema.OutcomeFailure)
}
