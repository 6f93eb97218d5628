package export

import (
	"bufio"
	"encoding/json"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Timesketch JSONL: each line needs message, datetime (ISO 8601) and
// timestamp_desc; timestamp (µs since the epoch) and any other keys are
// extra attributes.
type tsWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func tsBase(t time.Time, msg, desc string) obj {
	return obj{
		"message":        msg,
		"datetime":       t.UTC().Format(time.RFC3339Nano),
		"timestamp":      t.UnixMicro(),
		"timestamp_desc": desc,
	}
}

func (t *tsWriter) Event(ev *schema.Event) error {
	d := tsBase(ev.TS, ev.Message, "Event Recorded")
	if ev.Message == "" {
		d["message"] = ev.Action
	}
	for k, v := range map[string]any{
		"host": ev.Host, "action": ev.Action, "outcome": ev.Outcome, "user": ev.User, "uid": ev.UID,
		"src_ip": ev.SrcIP, "src_port": ev.SrcPort, "dst_ip": ev.DstIP, "dst_port": ev.DstPort, "dst_host": ev.DstHost,
		"method": ev.Method, "key_type": ev.KeyType, "key_fp": ev.KeyFP, "pid": ev.PID, "sid": ev.SID,
		"client": ev.Client, "server": ev.Server, "hassh": ev.HASSH, "hassh_server": ev.HASSHServer,
		"duration": ev.Duration, "bytes_out": ev.BytesOut, "bytes_in": ev.BytesIn, "command": ev.Command,
		"format": ev.Format, "file": ev.File, "line": ev.Line, "id": ev.ID, "program": ev.Program,
		"forward": ev.Forward, "notice": ev.Notice,
	} {
		put(d, k, v)
	}
	d["data_type"] = "sshtrail:" + ev.Format
	return t.enc.Encode(d)
}

func (t *tsWriter) Session(s *schema.Session) error {
	d := tsBase(s.Start, "ssh session "+s.User+"@"+s.Host+" from "+s.SrcIP, "Session Start")
	for k, v := range map[string]any{
		"sid": s.SID, "host": s.Host, "dst_ip": s.DstIP, "user": s.User, "src_ip": s.SrcIP, "src_port": s.SrcPort,
		"duration": s.Duration, "method": s.Method, "key_fp": s.KeyFP, "outcome": s.Outcome, "failures": s.Failures,
		"commands": s.Commands, "sources": s.Sources, "parent": s.Parent,
	} {
		put(d, k, v)
	}
	if !s.End.IsZero() {
		d["end"] = s.End.UTC().Format(time.RFC3339Nano)
	}
	d["data_type"] = "sshtrail:session"
	return t.enc.Encode(d)
}

func (t *tsWriter) Row(r Record) error {
	desc := "Detection Time"
	d := tsBase(r.Time, r.Message, desc)
	for _, f := range r.Fields {
		if _, taken := d[f.Name]; !taken {
			d[f.Name] = f.Value
		}
	}
	d["data_type"] = "sshtrail:finding"
	return t.enc.Encode(d)
}

func (t *tsWriter) Close() error { return t.w.Flush() }
