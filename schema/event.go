// Package schema is what every other package stands on: the normalized
// Event and Session, the action, outcome and format names, EventID and the
// field table. Standard library only: a format parser importing it pulls in
// nothing of the store.
package schema

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// Actions fixed by DESIGN.md: one attempt is one event, so counts mean the
// same thing in every source.
const (
	ActionAuthSuccess    = "auth_success"
	ActionAuthFailure    = "auth_failure"
	ActionInvalidUser    = "invalid_user"
	ActionAuthPartial    = "auth_partial"
	ActionPAM            = "pam"
	ActionConnection     = "connection"
	ActionSessionOpen    = "session_open"
	ActionSessionClose   = "session_close"
	ActionDisconnect     = "disconnect"
	ActionCommand        = "command"
	ActionProcess        = "process"
	ActionNetworkSession = "network_session"
	ActionNotice         = "notice"
	ActionOther          = "other"
)

// Outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeUnknown = "unknown"
)

// Formats (the `format` field).
const (
	FormatAuthlog    = "authlog"
	FormatJournal    = "journal"
	FormatUnified    = "unified"
	FormatZeekSSH    = "zeek_ssh"
	FormatZeekConn   = "zeek_conn"
	FormatZeekNotice = "zeek_notice"
	FormatAuditd     = "auditd"
)

// Event is one normalized record from any source. The JSON names are a
// contract (DESIGN.md): scripts and other tools depend on them. Fields after
// `message` are extensions that later issues need (forward specs, audit
// session ids...); they never replace a contract field.
type Event struct {
	ID          string    `json:"id"`
	TS          time.Time `json:"ts"`
	TSRaw       string    `json:"ts_raw,omitempty"`
	Format      string    `json:"format,omitempty"`
	File        string    `json:"file,omitempty"`
	Line        int64     `json:"line,omitempty"`
	Host        string    `json:"host,omitempty"`
	Action      string    `json:"action,omitempty"`
	Outcome     string    `json:"outcome,omitempty"`
	User        string    `json:"user,omitempty"`
	UID         string    `json:"uid,omitempty"` // string: uid 0 (root) must not vanish under omitempty
	SrcIP       string    `json:"src_ip,omitempty"`
	SrcPort     int       `json:"src_port,omitempty"`
	DstIP       string    `json:"dst_ip,omitempty"`
	DstPort     int       `json:"dst_port,omitempty"`
	DstHost     string    `json:"dst_host,omitempty"`
	Method      string    `json:"method,omitempty"`
	KeyType     string    `json:"key_type,omitempty"`
	KeyFP       string    `json:"key_fp,omitempty"`
	PID         int       `json:"pid,omitempty"`
	SID         string    `json:"sid,omitempty"`
	Client      string    `json:"client,omitempty"`
	Server      string    `json:"server,omitempty"`
	HASSH       string    `json:"hassh,omitempty"`
	HASSHServer string    `json:"hassh_server,omitempty"`
	Duration    float64   `json:"duration,omitempty"` // seconds
	BytesOut    int64     `json:"bytes_out,omitempty"`
	BytesIn     int64     `json:"bytes_in,omitempty"`
	Command     string    `json:"command,omitempty"`
	Message     string    `json:"message,omitempty"`

	// Extensions.
	Program   string `json:"program,omitempty"`    // sshd, sshd-session, sudo, su, ...
	TTY       string `json:"tty,omitempty"`        // pts/0, ssh, ...
	Reason    string `json:"reason,omitempty"`     // disconnect reason, notice name detail
	Ses       string `json:"ses,omitempty"`        // auditd login session id
	Forward   string `json:"forward,omitempty"`    // ssh forward specs, e.g. "L:3389:10.0.0.5:3389 D:1080"
	ConnState string `json:"conn_state,omitempty"` // Zeek conn_state
	Service   string `json:"service,omitempty"`    // Zeek service
	Notice    string `json:"notice,omitempty"`     // Zeek notice name, e.g. SSH::Password_Guessing
	ZeekUID   string `json:"zeek_uid,omitempty"`   // Zeek connection uid: joins ssh.log to conn.log
	// MessageRaw is the original message bytes, base64, when they are not
	// valid UTF-8: JSON cannot hold them and would store U+FFFD in their
	// place, altering the evidence. Events read from the store get Message
	// back byte for byte; JSON readers decode message_raw.
	MessageRaw string `json:"message_raw,omitempty"`
	// ServerKeyFP is the server's host key fingerprint as Zeek saw it
	// (ssh.log host_key, Zeek 8.1 host_key_fingerprint): never a user's key,
	// never compared with key_fp.
	ServerKeyFP string `json:"server_key_fp,omitempty"`
	// Direction is Zeek's ssh.log direction: INBOUND or OUTBOUND relative to
	// the monitored network.
	Direction string `json:"direction,omitempty"`
}

// EventID is the stable id of a record: the same bytes at the same place in
// the same file always get the same id, so importing twice adds nothing.
// identity names the file by content (see importers.Source.Identity), pos is a
// byte offset or record number, and key is any extra discriminator (the line
// itself, a Zeek uid, a journald cursor).
func EventID(identity string, pos int64, key string) string {
	// One contiguous buffer and Sum256: no hasher allocation, no string
	// copies (this runs once per imported record).
	var stack [512]byte
	buf := append(stack[:0], identity...)
	buf = append(buf, 0)
	buf = binary.BigEndian.AppendUint64(buf, uint64(pos))
	buf = append(buf, 0)
	buf = append(buf, key...)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:12])
}
