package schema

import (
	"strconv"
	"time"
)

// Kind is how a field is stored and queried.
type Kind string

const (
	// Keyword values match exactly (user:root).
	Keyword Kind = "keyword"
	// Text is analysed into words for full-text search.
	Text Kind = "text"
	// Number is compared as a number (dst_port:>=1024); the store keeps it
	// as a zero-padded keyword of Width digits, Scale times the value.
	Number Kind = "number"
	// Time is a UTC instant (ts:>="2026-03-14").
	Time Kind = "time"
	// Address is an IPv4 or IPv6 address: CIDR blocks match (10.0.0.0/8).
	Address Kind = "address"
	// Stored fields are kept with the event but not searchable.
	Stored Kind = "stored"
)

// Field is one event field: everything the store, the workbench, the rules
// and the exports need to know of it. Adding a field to Event means adding
// one row here (and setting it in an importer).
type Field struct {
	Name string // JSON and query name: the contract
	Kind Kind
	// DocValues keeps per-document values: the store needs them to sort
	// and to facet past its dictionary fast paths.
	DocValues bool
	Width     int     // Number: digits of the padded keyword
	Scale     float64 // Number: stored as value×Scale (0 = 1)
	// Group says rules may group and count by it (detect's group_by).
	Group bool
	// ECS is the Elastic Common Schema name the ECS export writes it under;
	// "" writes it under sshtrail.<Name>.
	ECS     string
	Meaning string
	// Value is the field of ev as text, "" when unset (numbers: "" for 0).
	Value func(ev *Event) string
	// Num is a Number field's value.
	Num func(ev *Event) float64
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func i64(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// EventFields lists every Event field in JSON order.
var EventFields = []Field{
	{Name: "id", Kind: Stored, Group: true, ECS: "event.id", Meaning: "stable hash of (source identity, byte offset or record number): importing the same file twice adds nothing",
		Value: func(e *Event) string { return e.ID }},
	{Name: "ts", Kind: Time, DocValues: true, ECS: "@timestamp", Meaning: "UTC time of the record",
		Value: func(e *Event) string {
			if e.TS.IsZero() {
				return ""
			}
			return e.TS.UTC().Format(time.RFC3339Nano)
		}},
	{Name: "ts_raw", Kind: Stored, Meaning: "the time as the source wrote it",
		Value: func(e *Event) string { return e.TSRaw }},
	{Name: "format", Kind: Keyword, DocValues: true, Group: true, Meaning: "authlog, journal, unified, zeek_ssh, zeek_conn, zeek_notice, auditd",
		Value: func(e *Event) string { return e.Format }},
	{Name: "file", Kind: Keyword, Group: true, ECS: "log.file.path", Meaning: "the file it was read from",
		Value: func(e *Event) string { return e.File }},
	{Name: "line", Kind: Stored, ECS: "log.offset", Meaning: "line (or record) number in the file",
		Value: func(e *Event) string { return i64(e.Line) }},
	{Name: "host", Kind: Keyword, DocValues: true, Group: true, ECS: "host.name", Meaning: "the host that wrote the record (for Zeek: the sensor)",
		Value: func(e *Event) string { return e.Host }},
	{Name: "action", Kind: Keyword, DocValues: true, Group: true, ECS: "event.action", Meaning: "what happened (docs/schema.md, Actions)",
		Value: func(e *Event) string { return e.Action }},
	{Name: "outcome", Kind: Keyword, DocValues: true, Group: true, ECS: "event.outcome", Meaning: "success, failure, unknown",
		Value: func(e *Event) string { return e.Outcome }},
	{Name: "user", Kind: Keyword, DocValues: true, Group: true, ECS: "user.name", Meaning: "account named in the record",
		Value: func(e *Event) string { return e.User }},
	{Name: "uid", Kind: Keyword, Group: true, ECS: "user.id", Meaning: "numeric account id where the source gives one",
		Value: func(e *Event) string { return e.UID }},
	{Name: "src_ip", Kind: Address, DocValues: true, Group: true, ECS: "source.ip", Meaning: "client address (IPv4 or IPv6)",
		Value: func(e *Event) string { return e.SrcIP }},
	{Name: "src_port", Kind: Number, Width: 5, Group: true, ECS: "source.port", Meaning: "client port",
		Value: func(e *Event) string { return itoa(e.SrcPort) }, Num: func(e *Event) float64 { return float64(e.SrcPort) }},
	{Name: "dst_ip", Kind: Address, DocValues: true, Group: true, ECS: "destination.ip", Meaning: "server address",
		Value: func(e *Event) string { return e.DstIP }},
	{Name: "dst_port", Kind: Number, Width: 5, Group: true, ECS: "destination.port", Meaning: "server port",
		Value: func(e *Event) string { return itoa(e.DstPort) }, Num: func(e *Event) float64 { return float64(e.DstPort) }},
	{Name: "dst_host", Kind: Keyword, Group: true, ECS: "destination.domain", Meaning: "server name where the record gives one (ssh client argv)",
		Value: func(e *Event) string { return e.DstHost }},
	{Name: "method", Kind: Keyword, DocValues: true, Group: true, Meaning: "password, publickey, keyboard-interactive, gssapi-with-mic, hostbased, none",
		Value: func(e *Event) string { return e.Method }},
	{Name: "key_type", Kind: Keyword, Group: true, Meaning: "the user's key algorithm",
		Value: func(e *Event) string { return e.KeyType }},
	{Name: "key_fp", Kind: Keyword, DocValues: true, Group: true, Meaning: "the user's key fingerprint (SHA256:… or MD5 hex), never a server host key",
		Value: func(e *Event) string { return e.KeyFP }},
	{Name: "pid", Kind: Number, Width: 10, Group: true, ECS: "process.pid", Meaning: "sshd (or sudo, ssh...) process id",
		Value: func(e *Event) string { return itoa(e.PID) }, Num: func(e *Event) float64 { return float64(e.PID) }},
	{Name: "sid", Kind: Keyword, Group: true, Meaning: "session id that correlation assigns",
		Value: func(e *Event) string { return e.SID }},
	{Name: "client", Kind: Keyword, DocValues: true, Group: true, Meaning: "client SSH banner (Zeek)",
		Value: func(e *Event) string { return e.Client }},
	{Name: "server", Kind: Keyword, Group: true, Meaning: "server SSH banner (Zeek)",
		Value: func(e *Event) string { return e.Server }},
	{Name: "hassh", Kind: Keyword, Group: true, Meaning: "client HASSH fingerprint (Zeek)",
		Value: func(e *Event) string { return e.HASSH }},
	{Name: "hassh_server", Kind: Keyword, Group: true, Meaning: "server HASSH fingerprint (Zeek)",
		Value: func(e *Event) string { return e.HASSHServer }},
	{Name: "duration", Kind: Number, Width: 13, Scale: 1000, ECS: "event.duration", Meaning: "network session length in seconds (Zeek conn/ssh)",
		Value: func(e *Event) string {
			if e.Duration == 0 {
				return ""
			}
			return strconv.FormatFloat(e.Duration, 'f', -1, 64)
		}, Num: func(e *Event) float64 { return e.Duration }},
	{Name: "bytes_out", Kind: Number, Width: 16, ECS: "source.bytes", Meaning: "bytes the originator sent (Zeek)",
		Value: func(e *Event) string { return i64(e.BytesOut) }, Num: func(e *Event) float64 { return float64(e.BytesOut) }},
	{Name: "bytes_in", Kind: Number, Width: 16, ECS: "destination.bytes", Meaning: "bytes the responder sent (Zeek)",
		Value: func(e *Event) string { return i64(e.BytesIn) }, Num: func(e *Event) float64 { return float64(e.BytesIn) }},
	{Name: "command", Kind: Text, Group: true, ECS: "process.command_line", Meaning: "what was run (sudo COMMAND, EXECVE argv decoded)",
		Value: func(e *Event) string { return e.Command }},
	{Name: "message", Kind: Text, ECS: "message", Meaning: "the original text, full-text searchable",
		Value: func(e *Event) string { return e.Message }},
	{Name: "program", Kind: Keyword, DocValues: true, Group: true, ECS: "process.name", Meaning: "sshd, sshd-session, sshd-auth, sudo, su, systemd-logind, ssh, ...",
		Value: func(e *Event) string { return e.Program }},
	{Name: "tty", Kind: Keyword, Group: true, Meaning: "terminal (pts/0, ssh)",
		Value: func(e *Event) string { return e.TTY }},
	{Name: "reason", Kind: Text, Meaning: "disconnect reason, repeat note, notice detail",
		Value: func(e *Event) string { return e.Reason }},
	{Name: "ses", Kind: Keyword, Group: true, Meaning: "auditd login session id",
		Value: func(e *Event) string { return e.Ses }},
	{Name: "forward", Kind: Text, Group: true, Meaning: "ssh port-forward specs from argv: L:13389:10.0.9.5:3389 D:1080 R:... J:jumphost",
		Value: func(e *Event) string { return e.Forward }},
	{Name: "conn_state", Kind: Keyword, Meaning: "Zeek conn.log connection state",
		Value: func(e *Event) string { return e.ConnState }},
	{Name: "service", Kind: Keyword, Group: true, Meaning: "Zeek conn.log service",
		Value: func(e *Event) string { return e.Service }},
	{Name: "notice", Kind: Keyword, Group: true, Meaning: "Zeek notice name (SSH::Password_Guessing)",
		Value: func(e *Event) string { return e.Notice }},
	{Name: "zeek_uid", Kind: Keyword, Group: true, Meaning: "Zeek connection uid (joins ssh.log and conn.log)",
		Value: func(e *Event) string { return e.ZeekUID }},
	{Name: "message_raw", Kind: Stored, Meaning: "base64 of the original message bytes, only when they are not valid UTF-8",
		Value: func(e *Event) string { return e.MessageRaw }},
	{Name: "server_key_fp", Kind: Keyword, Group: true, Meaning: "the server's host key fingerprint seen by Zeek (never a user key)",
		Value: func(e *Event) string { return e.ServerKeyFP }},
	{Name: "direction", Kind: Keyword, Group: true, Meaning: "Zeek ssh.log direction: INBOUND or OUTBOUND relative to the monitored network",
		Value: func(e *Event) string { return e.Direction }},
}

var byName = func() map[string]int {
	m := make(map[string]int, len(EventFields))
	for i, f := range EventFields {
		m[f.Name] = i
	}
	return m
}()

// EventField returns the field called name.
func EventField(name string) (Field, bool) {
	i, ok := byName[name]
	if !ok {
		return Field{}, false
	}
	return EventFields[i], true
}

// Searchable reports whether queries can name the field.
func (f Field) Searchable() bool { return f.Kind != Stored }
