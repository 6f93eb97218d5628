package zeek

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

const (
	skipNotSSH   = "not an SSH record"
	skipFiltered = "filtered by --zeek-conn ssh"
)

// guessPath names the log of a record that does not say (plain JSON without
// _path, a TSV block without #path) from the fields only that log has.
func guessPath(r *rec) string {
	switch {
	case r.has(fNote) || r.has(fMsg):
		return "notice"
	case r.has(fAuthAttempts) || r.has(fAuthSuccess) || r.has(fHostKey) || r.has(fHostKeyFP) ||
		r.has(fClient) || r.has(fServer):
		return "ssh"
	// proto alone is not enough: dns.log has it too.
	case r.has(fConnState) || r.has(fOrigBytes) || r.has(fHistory) || r.has(fProto) && r.has(fDuration):
		return "conn"
	}
	return "unknown"
}

// parseTS reads epoch seconds ("1713488395.433985") or ISO 8601.
func parseTS(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, fmt.Errorf("no ts")
	}
	if c := v[0]; c >= '0' && c <= '9' && strings.ContainsAny(v, "eE") && !strings.Contains(v, "T") {
		// 1.7734537e9 from tools that write floats their own way.
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1<<40 {
			return time.Time{}, fmt.Errorf("bad ts %q", truncate(v, 40))
		}
		sec := math.Floor(f)
		return time.Unix(int64(sec), int64(math.Round((f-sec)*1e6))*1e3).UTC(), nil
	}
	if c := v[0]; c >= '0' && c <= '9' && !strings.Contains(v, "-") {
		sec, frac, _ := strings.Cut(v, ".")
		s, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("bad ts %q", truncate(v, 40))
		}
		var ns int64
		if frac != "" {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			f, err := strconv.ParseUint(frac, 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("bad ts %q", truncate(v, 40))
			}
			for i := len(frac); i < 9; i++ {
				f *= 10
			}
			ns = int64(f)
		}
		return time.Unix(s, ns).UTC(), nil
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad ts %q", truncate(v, 40))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func atoi(r *rec, f fid) int {
	n, _ := strconv.Atoi(r.v[f])
	return n
}

func atoi64(r *rec, f fid) int64 {
	n, _ := strconv.ParseInt(r.v[f], 10, 64)
	return n
}

// Fields written into the message as key=value, in this order.
var (
	sshMsgFields  = []fid{fAuthSuccess, fAuthAttempts, fDirection, fClient, fServer, fKexAlg, fHostKeyAlg, fHASSH, fHASSHServer}
	connMsgFields = []fid{fService, fConnState, fHistory}
)

// message is the record in words: endpoints as separate tokens, then the
// set fields as key=value. The uid stays out (it is zeek_uid; unique tokens
// bloat the text index) and so do sizes and duration (fields of their own:
// bytes_out:>1000000).
func message(kind, proto string, ev *schema.Event, r *rec, fields []fid) string {
	b := make([]byte, 0, 160)
	b = append(b, kind...)
	b = append(b, ' ')
	if kind == "conn" {
		b = append(b, proto...)
		b = append(b, ' ')
	}
	b = append(b, ev.SrcIP...)
	b = append(b, " port "...)
	b = strconv.AppendInt(b, int64(ev.SrcPort), 10)
	b = append(b, " -> "...)
	b = append(b, ev.DstIP...)
	b = append(b, " port "...)
	b = strconv.AppendInt(b, int64(ev.DstPort), 10)
	for _, f := range fields {
		if v, ok := r.get(f); ok && v != "" {
			b = append(b, ' ')
			b = append(b, fieldNames[f]...)
			b = append(b, '=')
			b = append(b, v...)
		}
	}
	return string(b)
}

// algorithmName reports whether v is an SSH algorithm name (RFC 4251 §6:
// printable US-ASCII without spaces, commas or control characters, e.g.
// ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa-cert-v01@openssh.com) or is
// empty; anything else in an algorithm column is Zeek's failure text.
func algorithmName(v string) bool {
	if len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f || c == ',' {
			return false
		}
	}
	return true
}

// convert maps a record of path to an event, or says why it is not one.
func convert(path string, r *rec, opts importers.Options) (*schema.Event, string) {
	switch path {
	case "ssh", "conn", "notice":
	default:
		return nil, skipNotSSH
	}
	if path == "notice" && !strings.HasPrefix(r.str(fNote), "SSH::") {
		return nil, skipNotSSH
	}
	if path == "conn" && opts.ZeekConn == "ssh" && atoi(r, fRespP) != 22 && !strings.Contains(r.str(fService), "ssh") {
		return nil, skipFiltered
	}
	tsRaw := r.str(fTS)
	ts, err := parseTS(tsRaw)
	if err != nil {
		return nil, err.Error()
	}
	ev := &schema.Event{
		TS: ts, TSRaw: tsRaw,
		Host:    r.first(fNodeName, fSystemName),
		ZeekUID: r.str(fUID),
		SrcIP:   r.str(fOrigH), SrcPort: atoi(r, fOrigP),
		DstIP: r.str(fRespH), DstPort: atoi(r, fRespP),
		Outcome: schema.OutcomeUnknown,
	}
	if ev.Host == "" {
		// The sensor is unknown unless the user says; never guessed from
		// the file name (ssh.log names no host).
		ev.Host = opts.Host
	}
	switch path {
	case "ssh":
		ev.Format, ev.Action = schema.FormatZeekSSH, schema.ActionNetworkSession
		switch r.str(fAuthSuccess) {
		case "T", "true":
			ev.Outcome = schema.OutcomeSuccess
		case "F", "false":
			ev.Outcome = schema.OutcomeFailure
		}
		ev.Client, ev.Server = r.str(fClient), r.str(fServer)
		ev.HASSH = r.first(fHASSH, fHASSHAlgorithms)
		ev.HASSHServer = r.first(fHASSHServer, fHASSHServerSnake)
		// host_key (Zeek 8.1: host_key_fingerprint) is the server's host
		// key: its own field, never key_fp (the user's key), so a host key
		// seen a thousand times is never a user's "new key". host_key_alg
		// is the server's too (it stays in the message, not in key_type);
		// when negotiation failed Zeek writes its failure text there
		// ("Algorithm negotiation failed"), which is the record's reason.
		ev.ServerKeyFP = r.first(fHostKeyFP, fHostKey)
		if alg := r.str(fHostKeyAlg); !algorithmName(alg) {
			ev.Reason = alg
		}
		ev.Direction = r.str(fDirection)
		ev.Message = message("ssh", "", ev, r, sshMsgFields)
	case "conn":
		ev.Format, ev.Action = schema.FormatZeekConn, schema.ActionConnection
		if d, ok := r.get(fDuration); ok {
			ev.Duration, _ = strconv.ParseFloat(d, 64)
		}
		ev.BytesOut, ev.BytesIn = atoi64(r, fOrigBytes), atoi64(r, fRespBytes)
		ev.ConnState, ev.Service = r.str(fConnState), r.str(fService)
		ev.Message = message("conn", r.str(fProto), ev, r, connMsgFields)
	case "notice":
		note := r.str(fNote)
		ev.Format, ev.Action, ev.Notice = schema.FormatZeekNotice, schema.ActionNotice, note
		// Notices about an address rather than a connection carry src/dst/p.
		if ev.SrcIP == "" {
			ev.SrcIP = r.str(fSrc)
		}
		if ev.DstIP == "" {
			ev.DstIP = r.str(fDst)
		}
		if ev.DstPort == 0 {
			ev.DstPort = atoi(r, fP)
		}
		ev.Reason = r.str(fSub)
		ev.Message = note + ": " + r.str(fMsg)
		if ev.Reason != "" {
			ev.Message += " " + ev.Reason
		}
	}
	return ev, ""
}
