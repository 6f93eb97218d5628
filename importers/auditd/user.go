package auditd

import (
	"encoding/base64"
	"encoding/hex"
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
// sshd, or sudo) to DESIGN.md's action table, so that one attempt is one
// event in every source and counts stay comparable with sshd's own lines:
//
//   - USER_LOGIN is the logon, as sshd sees it: res=success is the
//     successful logon (auth_success, like "Accepted"); res=failed a refused
//     one (auth_failure, like "Failed"), or invalid_user when acct names no
//     account ("(invalid user)", "(unknown user)"). Upstream OpenSSH
//     (audit-linux.c) writes one failed USER_LOGIN per failed method
//     attempt (terminal=sshd); Red Hat's patch writes it once per refused
//     connection (abandoned, invalid user, root denied; terminal=ssh) and
//     its per-attempt records as USER_AUTH.
//   - USER_AUTH, PAM's (op=PAM:authentication) or sshd's own (op=password,
//     pubkey, pubkey_auth, none, success, cert...), is the same attempt as
//     sshd's "Failed"/"Accepted" line: pam, outcome from res, method kept —
//     never a second attempt. op="maxtries exceeded" is sshd giving up on
//     the connection: disconnect, like "maximum authentication attempts
//     exceeded".
//   - Sessions come from PAM, like pam_unix's "session opened/closed" in auth
//     logs: USER_START op=PAM:session_open -> session_open, USER_END
//     op=PAM:session_close -> session_close. Every PAM system writes them, so
//     each login gets exactly one of each. sshd's own copies (USER_START /
//     USER_END op=login on RHEL, USER_LOGOUT) describe the same session a
//     second time: other, outcome kept, fields kept.
//   - USER_ACCT, CRED_ACQ, CRED_REFR, CRED_DISP, USER_ERR, USER_MGMT: pam
//     (outcome from res); PAM steps of an attempt already counted.
//   - USER_CMD (sudo): command, outcome from res.
//   - CRYPTO_KEY_USER, CRYPTO_SESSION, USER_ROLE_CHANGE...: other.
func userAction(typ, op string, success, noAccount bool) string {
	switch typ {
	case "USER_LOGIN":
		switch {
		case success:
			return schema.ActionAuthSuccess
		case noAccount:
			return schema.ActionInvalidUser
		}
		return schema.ActionAuthFailure
	case "USER_AUTH":
		if op == "maxtries exceeded" {
			return schema.ActionDisconnect
		}
		return schema.ActionPAM
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
	case "USER_ACCT", "CRED_ACQ", "CRED_REFR", "CRED_DISP", "USER_ERR", "USER_MGMT":
		return schema.ActionPAM
	case "USER_CMD":
		return schema.ActionCommand
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
	case "key":
		return "publickey"
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

// noAccount reports the acct values sshd writes when the login names no
// account of the host: "(invalid user)" (no such user), "(unknown user)"
// (no user name sent yet).
func noAccount(acct string) bool {
	return acct == "(invalid user)" || acct == "(unknown user)"
}

// userEvent fills ev from a user-space record written by sshd, or a USER_CMD
// written by sudo. It returns false for any other record.
func userEvent(ev *schema.Event, r *Record) bool {
	if r.Type == "USER_CMD" {
		return commandEvent(ev, r)
	}
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
	acct := r.Get("acct")
	ev.Action = userAction(r.Type, op, success, noAccount(acct))
	if r.Type == "USER_AUTH" {
		ev.Method = authMethod(op)
		if op == "key" {
			// Red Hat's second pubkey record: op=key algo=T size=N fp=SHA256:...
			if t := r.Get("algo"); t != "" && t != "?" {
				ev.KeyType = t
			}
			if fp := r.Get("fp"); fp != "" && fp != "?" {
				ev.KeyFP = keyFP(fp)
			}
		}
	}
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

// commandEvent fills ev from sudo's USER_CMD: the command is cmd= (hex when
// it holds a space), the account is the one that ran sudo — uid= (sudo's
// real uid), named by the ENRICHED UID or, later, by the login records of
// the file (names.go).
func commandEvent(ev *schema.Event, r *Record) bool {
	ev.Action = schema.ActionCommand
	ev.Program = "sudo"
	if exe := r.Get("exe"); exe != "" && exe != "?" {
		ev.Program = path.Base(strings.TrimSuffix(exe, " (deleted)"))
	}
	res := r.Get("res")
	ev.Outcome = schema.OutcomeFailure
	if res == "success" || res == "yes" || res == "1" {
		ev.Outcome = schema.OutcomeSuccess
	}
	ev.Command = r.Get("cmd")
	if uid := r.Outer("uid"); uid != unsetID && digits(uid) {
		ev.UID = uid
		ev.User = enrichedName(r, "UID")
		if ev.User == "" && uid == r.Outer("auid") {
			ev.User = enrichedName(r, "AUID")
		}
	}
	if t := r.Get("terminal"); t != "?" && t != "" {
		ev.TTY = strings.TrimPrefix(t, "/dev/")
	}
	ev.PID, _ = atoiSmall(r.Outer("pid"))
	if ses := r.Outer("ses"); ses != unsetID {
		ev.Ses = ses
	}
	return true
}

// keyFP writes Red Hat's fp= the way sshd's own log line does, so a key
// compares equal across sources: auditd gets the SHA256 digest as hex pairs
// ("SHA256:d4:ce:...:90", 32 bytes), sshd logs it as unpadded base64
// ("SHA256:1M4RzhMy..."). An MD5 fingerprint (old OpenSSH, 16 hex pairs) is
// written the same way by both and stays as it is.
func keyFP(fp string) string {
	hexPart, ok := strings.CutPrefix(fp, "SHA256:")
	if !ok || strings.Count(hexPart, ":") != 31 {
		return fp
	}
	b, err := hex.DecodeString(strings.ReplaceAll(hexPart, ":", ""))
	if err != nil || len(b) != 32 {
		return fp
	}
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(b)
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
