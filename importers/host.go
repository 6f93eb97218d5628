package importers

import (
	"fmt"
	"path/filepath"
	"strings"
)

// HostFor decides the host of records that name none (macOS unified logs,
// auditd without node=) and says which rule decided, for the summary. In
// order: the --host flag; the folder the file sits in, when its name is a
// host's (a case keeps one folder per host: case/mbp-ana/system.log is
// mbp-ana); the file's own base name when it is clearly a host name
// (db02.example.com.log, mbp-ana-sshd.ndjson); else none. The first word
// of a file name is not a host: system.log is not host "system",
// host.example.com.log is not "host", go-libaudit-audit-rhel6.log is not
// "go".
func HostFor(path, flag string) (host, rule string) {
	name := filepath.Base(path)
	switch {
	case flag != "":
		return flag, fmt.Sprintf("host %s from --host for %s", flag, name)
	case path == "-" || path == "stdin" || path == "":
		return "", "no host for stdin (no host in the records, no --host)"
	}
	if dir := filepath.Base(filepath.Dir(path)); hostLike(dir) {
		return dir, fmt.Sprintf("host %s from the folder name for %s", dir, filepath.Join(dir, name))
	}
	if base := fileHostPart(name); hostLike(base) {
		return base, fmt.Sprintf("host %s from the file name %s", base, name)
	}
	return "", fmt.Sprintf("no host for %s: neither the records, --host, its folder nor its file name name one", name)
}

// fileHostPart is a file name without its log and compression extensions
// and a trailing kind ("-sshd", "_audit", ".log.1").
func fileHostPart(name string) string {
	for {
		ext := strings.ToLower(filepath.Ext(name))
		if ext == "" {
			break
		}
		if !logExt[ext] && !allDigits(ext[1:]) && !logKind[ext[1:]] {
			break
		}
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	for trimmed := true; trimmed; {
		trimmed = false
		for kind := range logKind {
			for _, sep := range []string{"-", "_", "."} {
				if t, ok := strings.CutSuffix(name, sep+kind); ok && t != "" {
					name, trimmed = t, true
				}
			}
		}
	}
	return name
}

// logKind are words a file name adds to the host's to say what it holds
// (db01-audit.log, web02.audit.log, mbp-ana_unified.txt).
var logKind = map[string]bool{"sshd": true, "ssh": true, "audit": true, "auditd": true, "auth": true, "secure": true,
	"unified": true, "logshow": true, "log": true, "system": true}

var logExt = map[string]bool{".gz": true, ".bz2": true, ".log": true, ".txt": true, ".json": true,
	".ndjson": true, ".jsonl": true, ".out": true, ".logarchive": true}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// genericNames name logs, tools or case folders, never a host.
var genericNames = map[string]bool{
	"system": true, "audit": true, "auditd": true, "auth": true, "secure": true, "messages": true,
	"syslog": true, "sshd": true, "ssh": true, "log": true, "logs": true, "var": true, "tmp": true,
	"case": true, "cases": true, "evidence": true, "export": true, "exports": true, "data": true,
	"unified": true, "logshow": true, "macos": true, "linux": true, "journal": true, "zeek": true,
	"testdata": true, "sample": true, "samples": true, "test": true, "tests": true, "files": true,
	"home": true, "root": true, "downloads": true, "desktop": true, "input": true, "raw": true,
	"stdin": true, "localhost": true, ".": true, "/": true, "..": true,
}

// toolWords mark a file or folder named after the program that wrote it.
var toolWords = map[string]bool{"libaudit": true, "go": true, "auditbeat": true, "filebeat": true,
	"fail2ban": true, "wazuh": true, "loghub": true, "elastic": true, "crowdsec": true, "handmade": true}

// hostLike: a host name (RFC 1123 labels), not a generic or tool name.
func hostLike(s string) bool {
	if s == "" || len(s) > 253 || genericNames[strings.ToLower(s)] {
		return false
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(c rune) bool { return c == '-' || c == '_' || c == '.' }) {
		if toolWords[w] || genericNames[w] && !strings.Contains(s, ".") {
			return false
		}
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	// A name of digits only (a date folder, "2026") is not a host.
	return !allDigits(strings.ReplaceAll(s, "-", ""))
}
