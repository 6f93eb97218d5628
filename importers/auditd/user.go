package auditd

import (
	"net/netip"
	"path"
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// unsetID is auditd's "no login uid / no session" (-1 as u32).
const unsetID = "4294967295"

// sshdProgram reports the executables whose user-space records describe SSH
// logins. A package upgrade replaces sshd under the running daemon, whose
// exe then reads "/usr/sbin/sshd (deleted)" (hex-encoded for the space); its
// logins are still SSH logins.
func sshdProgram(exe string) (string, bool) {
	b := path.Base(strings.TrimSuffix(exe, " (deleted)"))
	switch b {
	case "sshd", "sshd-session", "sshd-auth":
		return b, true
	}
	return "", false
}

// userAction maps a user-space record written by sshd (or by PAM inside
// sshd) to DESIGN.md's action table. One attempt is one event, across every
// record one login writes:
//
//   - USER_AUTH is the attempt: auth_success / auth_failure. PAM writes it
//     for password and keyboard-interactive (op=PAM:authentication); sshd
//     writes it for pubkey (op=pubkey_auth, op=pubkey) and, without PAM, for
//     password. RHEL's sshd skips its own password record when PAM is on, so
//     a login has exactly one successful USER_AUTH. The extra USER_AUTH
//     records of a certificate login (op=cert, op=principal) describe the
//     same attempt: other. sshd's non-attempt ops become invalid_user
//     ("invalid user"), disconnect ("maxtries exceeded") or other.
//   - Sessions come from PAM, like pam_unix's "session opened/closed" in auth
//     logs: USER_START op=PAM:session_open -> session_open, USER_END
//     op=PAM:session_close -> session_close. Every PAM system writes them, so
//     each login gets exactly one of each. sshd's own copies (USER_LOGIN
//     success, USER_START/USER_END op=login on RHEL, USER_LOGOUT) describe
//     the same session a second time: other, outcome kept, fields kept.
//   - A failed USER_LOGIN is sshd's record of a refused login (no PAM session
//     exists then): session_open, failure.
//   - USER_ACCT, CRED_ACQ, CRED_REFR, CRED_DISP, USER_ERR: pam (outcome from
//     res); they are PAM steps of an attempt already counted, never a second
//     attempt. CRYPTO_KEY_USER, CRYPTO_SESSION, USER_ROLE_CHANGE: other.
func userAction(typ, op string, success bool) string {
	switch typ {
	case "USER_AUTH":
		switch op {
		case "cert", "principal":
			return schema.ActionOther
		case "invalid user":
			return schema.ActionInvalidUser
		case "maxtries exceeded":
			return schema.ActionDisconnect
		case "root denied", "nologin", "connection closed", "connection abandoned", "success", "unknown":
			return schema.ActionOther
		}
		if success {
			return schema.ActionAuthSuccess
		}
		return schema.ActionAuthFailure
	case "USER_START":
		if strings.HasPrefix(op, "PAM:") {
			return schema.ActionSessionOpen
		}
		return schema.ActionOther
	case "USER_END":
		if strings.HasPrefix(op, "PAM:") {
			return schema.ActionSessionClose
		}
		return schema.ActionOther
	case "USER_LOGIN":
		if success {
			return schema.ActionOther
		}
		return schema.ActionSessionOpen
	case "USER_ACCT", "CRED_ACQ", "CRED_REFR", "CRED_DISP", "USER_ERR", "USER_MGMT":
		return schema.ActionPAM
	}
	return schema.ActionOther
}

// authMethod maps the op of a USER_AUTH to DESIGN.md's method names. PAM's
// op=PAM:authentication does not say which SSH method drove it: left empty.
func authMethod(op string) string {
	switch op {
	case "pubkey", "pubkey_auth":
		return "publickey"
	case "password":
		return "password"
	case "challenge-response":
		return "keyboard-interactive"
	case "hostbased", "hostbased_auth":
		return "hostbased"
	case "gssapi":
		return "gssapi-with-mic"
	case "none":
		return "none"
	}
	return ""
}

// placeholderUser reports acct values that name no account.
func placeholderUser(u string) bool {
	switch u {
	case "", "?", "(invalid user)", "(unknown user)", "(unknown)", "unknown":
		return true
	}
	return false
}

// userEvent fills ev from a user-space record written by sshd. It returns
// false when the record is not from sshd.
func userEvent(ev *schema.Event, r *Record) bool {
	prog, ok := sshdProgram(r.Get("exe"))
	if !ok {
		return false
	}
	ev.Program = prog
	res := r.Get("res")
	success := res == "success" || res == "yes" || res == "1"
	ev.Outcome = schema.OutcomeFailure
	if success {
		ev.Outcome = schema.OutcomeSuccess
	}
	op := r.Get("op")
	ev.Action = userAction(r.Type, op, success)
	if r.Type == "USER_AUTH" {
		ev.Method = authMethod(op)
	}
	acct := r.Get("acct")
	if placeholderUser(acct) {
		if acct != "" && acct != "?" {
			ev.Reason = strings.Trim(acct, "()")
		}
	} else {
		ev.User = acct
	}
	// The account's uid: id= (sshd's login records); else, once the session
	// exists, the login uid. Before pam_loginuid runs, auid is sshd's own
	// (unset, or inherited from whoever restarted sshd), so it is left in the
	// message only. uid= is sshd's uid (0), never the account's.
	if id := r.Get("id"); id != "" && id != unsetID && digits(id) {
		ev.UID = id
	} else if auid := r.Outer("auid"); postLogin(r.Type) && auid != unsetID && digits(auid) {
		ev.UID = auid
	}
	if ev.User == "" {
		ev.User = enrichedName(r, "ID")
	}
	if ev.User == "" && ev.UID != "" && ev.UID == r.Outer("auid") {
		ev.User = enrichedName(r, "AUID")
	}
	ev.SrcIP = addr(r.Get("addr"))
	if ev.SrcIP == "" {
		ev.SrcIP = addr(r.Get("hostname"))
	}
	ev.SrcPort = port(r.Get("rport"))
	ev.DstIP = addr(r.Get("laddr"))
	ev.DstPort = port(r.Get("lport"))
	if t := r.Get("terminal"); t != "?" {
		ev.TTY = strings.TrimPrefix(t, "/dev/")
	}
	ev.PID, _ = atoiSmall(r.Outer("pid"))
	if ses := r.Outer("ses"); ses != unsetID {
		ev.Ses = ses
	}
	return true
}

// postLogin reports record types written after pam_loginuid set the
// session's login uid.
func postLogin(typ string) bool {
	switch typ {
	case "USER_START", "USER_END", "CRED_DISP", "CRED_REFR", "USER_LOGOUT", "USER_ROLE_CHANGE":
		return true
	}
	return false
}

// enrichedName returns the ENRICHED translation of an id field unless it is
// auditd's "unset".
func enrichedName(r *Record, key string) string {
	v := r.EnrichedVal(key)
	if v == "unset" || v == "?" {
		return ""
	}
	return v
}

// addr keeps only real addresses: "?" and host names are not IPs.
func addr(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}

func port(s string) int {
	n, ok := atoiSmall(s)
	if !ok || n <= 0 || n > 65535 {
		return 0
	}
	return n
}
