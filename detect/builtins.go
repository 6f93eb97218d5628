package detect

import "strings"

const lateralID = "SSH_Lateral_Movement_Chain"

var hostLogons = "logons (auth_success) from auth.log, journald, macOS unified log or auditd"

// builtins is the built-in catalogue, in the order `sshtrail rules` lists it.
func builtins(cfg Config) []Rule {
	rs := []Rule{
		&builtin{meta{id: "Unix_SSH_Login_By_Daemons", title: "SSH logon by a service account", sev: SevHigh, technique: "T1078.003",
			desc:  "A successful SSH logon by a service/daemon account: listed in service_accounts, a known uid below service_uid_max other than 0, or a daemon name (daemon_names). Users on the host group's allow_users are skipped.",
			needs: []string{hostLogons}}, ruleDaemons},
		&builtin{meta{id: "Unix_Proxy_Forwarding", title: "Traffic tunnelled through SSH", sev: SevHigh, technique: "T1572",
			desc:  "SSH port forwarding or tunnelling: ssh started with -L/-R/-D/-w or forward options (auditd), sshd forwarding messages, a Zeek connection to Windows service ports (windows_ports) from a host while an inbound SSH session to it is open, or a long-lived SSH connection carrying far more bytes than an interactive one.",
			needs: []string{"auditd EXECVE of ssh (forward)", "sshd forwarding messages", "Zeek conn.log / ssh.log", "host_addresses or sshd 'Connection from' lines to tie hosts to addresses"}}, ruleProxy},
	}
	for _, g := range groupNames(cfg) {
		sev := SevMedium
		switch g {
		case "Domain_Controller", "Critical_Server", "Antivirus_Server", "Update_Server", "VCS_Server", "Release_Build_Agent", "App_1C_Server":
			sev = SevHigh
		}
		rs = append(rs, abnormalRule(g, sev))
	}
	rs = append(rs,
		&builtin{meta{id: "SSH_Brute_Force", title: "SSH brute force", sev: SevMedium, technique: "T1110.001",
			desc:  "At least thresholds.brute_force_failures failed logons from one source within thresholds.brute_force_window.",
			needs: []string{"failed logons (auth_failure, invalid_user) from host logs"}}, ruleBruteForce},
		&builtin{meta{id: "SSH_Password_Spraying", title: "SSH password spraying", sev: SevMedium, technique: "T1110.003",
			desc:  "Failed logons against at least thresholds.spray_users distinct accounts from one source within thresholds.spray_window.",
			needs: []string{"failed logons from host logs"}}, ruleSpraying},
		&builtin{meta{id: "SSH_Success_After_Guessing", title: "SSH logon after password guessing", sev: SevHigh, technique: "T1110",
			desc:  "A successful logon from a source that failed at least thresholds.guess_failures times within thresholds.guess_window before it (since its previous success).",
			needs: []string{hostLogons, "failed logons from host logs"}}, ruleGuessed},
		&builtin{meta{id: "SSH_Invalid_User_Storm", title: "SSH logons to non-existent accounts", sev: SevLow, technique: "T1110",
			desc:  "At least thresholds.invalid_users attempts on accounts that do not exist from one source within thresholds.invalid_user_window.",
			needs: []string{"'Invalid user' / 'for invalid user' lines"}}, ruleInvalidUsers},
		&builtin{meta{id: "SSH_Direct_Root_Logon", title: "Direct SSH logon as root", sev: SevMedium, technique: "T1078.003",
			desc:  "root logged on by SSH directly instead of a named account and sudo (PermitRootLogin should be no). Skipped where a group's allow_users lists root.",
			needs: []string{hostLogons}}, ruleRoot},
		&builtin{meta{id: "SSH_First_Seen_Source", title: "First-seen source address for a user", sev: SevLow, technique: "T1078",
			desc:  "After the case's baseline window, a logon by a user from an address the user never logged on from before.",
			needs: []string{hostLogons}}, firstSeenRule("source", func(r *rec) string { return r.src })},
		&builtin{meta{id: "SSH_First_Seen_Key", title: "First-seen key for a user", sev: SevMedium, technique: "T1098.004",
			desc:  "After the case's baseline window, a logon by a user with a key fingerprint the user never used before (a planted authorized_keys entry).",
			needs: []string{"publickey logons with fingerprints"}}, firstSeenRule("key", func(r *rec) string { return r.keyFP })},
		&builtin{meta{id: "SSH_First_Seen_Client", title: "First-seen SSH client for a user", sev: SevLow, technique: "T1078",
			desc:  "After the case's baseline window, a logon by a user with an SSH client banner the user never used before (client from Zeek ssh.log matched to the host's logon).",
			needs: []string{hostLogons, "Zeek ssh.log (client banner)"}}, firstSeenRule("client", func(r *rec) string { return r.client })},
		&builtin{meta{id: "SSH_Logon_Outside_Working_Hours", title: "SSH logon outside working hours", sev: SevLow, technique: "T1078",
			desc:  "A logon outside working_hours (days, start-end, time_zone), per host and user.",
			needs: []string{hostLogons}}, ruleOffHours},
		&builtin{meta{id: "SSH_Password_Where_Keys_Are_Norm", title: "Password logon by a key user", sev: SevMedium, technique: "T1078",
			desc:  "A password logon by a user whose earlier logons (at least thresholds.key_norm_logons) were all by key.",
			needs: []string{hostLogons}}, ruleKeyNorm},
		&builtin{meta{id: "SSH_User_Not_Allowed", title: "SSH logon by a user outside the allow-list (M1018)", sev: SevMedium, technique: "T1078",
			desc:  "A logon to a host of an asset group with allow_users by a user not on the list.",
			needs: []string{hostLogons, "groups.<name>.allow_users in the config"}}, ruleNotAllowed},
		&builtin{meta{id: "SSH_Password_Logons", title: "Password logons accepted (M1032)", sev: SevLow, technique: "T1110",
			desc:  "A host accepted password (or keyboard-interactive) logons at all: keys or MFA are not enforced.",
			needs: []string{hostLogons}}, rulePasswordLogons},
		&builtin{meta{id: lateralID, title: "SSH lateral movement chain", sev: SevHigh, technique: "T1021.004",
			desc:  "SSH logons chained host to host (A -> B -> C): each starts from a host while an SSH session into it is open; at least thresholds.lateral_hops hops (A -> B -> C is 1 hop, as in index/sessions). Uses the stored sessions' paths, else rebuilds hops from logons.",
			needs: []string{hostLogons + " with session ends", "Zeek ssh/conn", "host_addresses or sshd 'Connection from' lines"}}, ruleLateral},
		&builtin{meta{id: "Zeek_SSH_Password_Guessing", title: "Zeek SSH password guessing notice", sev: SevMedium, technique: "T1110",
			desc:  "Zeek's detect-bruteforcing script raised SSH::Password_Guessing.",
			needs: []string{"Zeek notice.log"}}, ruleZeekGuessing},
		&builtin{meta{id: "SSH_Source_Gap", title: "Logon seen by Zeek missing from the host's logs", sev: SevHigh, technique: "T1070.002",
			desc:  "Zeek saw a successful SSH logon to a host whose own logs were imported, but they hold no logon from that source within thresholds.clock_skew: logs missing or wiped.",
			needs: []string{"Zeek ssh.log", "the host's own logs", "host_addresses or sshd 'Connection from' lines"}}, ruleSourceGap},
	)
	return rs
}

// groupNames: the built-in groups, then any other group the config names.
func groupNames(cfg Config) []string {
	out := append([]string(nil), GroupNames...)
	for name := range cfg.Groups {
		if canonicalGroup(name) == name && !contains(GroupNames, name) {
			out = append(out, name)
		}
	}
	sortFrom(out, len(GroupNames))
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func sortFrom(ss []string, i int) {
	tail := ss[i:]
	for a := 1; a < len(tail); a++ {
		for b := a; b > 0 && tail[b] < tail[b-1]; b-- {
			tail[b], tail[b-1] = tail[b-1], tail[b]
		}
	}
}
