package export

import (
	"bufio"
	"encoding/json"
	"strings"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// ECS documents: nested objects with Elastic Common Schema names, so
// Elasticsearch/OpenSearch ingest them unchanged. Fields ECS has no name for
// go under the custom `sshtrail` object.
type ecsWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

type obj = map[string]any

func put(m obj, k string, v any) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return
		}
	case int:
		if t == 0 {
			return
		}
	case int64:
		if t == 0 {
			return
		}
	case float64:
		if t == 0 {
			return
		}
	case []string:
		if len(t) == 0 {
			return
		}
	}
	m[k] = v
}

func sub(m obj, k string) obj {
	if o, ok := m[k].(obj); ok {
		return o
	}
	o := obj{}
	m[k] = o
	return o
}

// Category maps an action to ECS event.category.
func Category(action string) string {
	switch action {
	case schema.ActionAuthSuccess, schema.ActionAuthFailure, schema.ActionInvalidUser, schema.ActionAuthPartial, schema.ActionPAM:
		return "authentication"
	case schema.ActionConnection, schema.ActionNetworkSession, schema.ActionNotice:
		return "network"
	case schema.ActionProcess:
		return "process"
	}
	return "session"
}

func ecsType(action string) []string {
	switch action {
	case schema.ActionAuthSuccess, schema.ActionSessionOpen:
		return []string{"start"}
	case schema.ActionSessionClose, schema.ActionDisconnect:
		return []string{"end"}
	case schema.ActionConnection, schema.ActionNetworkSession:
		return []string{"connection"}
	case schema.ActionProcess, schema.ActionCommand:
		return []string{"start"}
	}
	return []string{"info"}
}

func ecsOutcome(o string) string {
	switch o {
	case schema.OutcomeSuccess, schema.OutcomeFailure:
		return o
	}
	return "unknown"
}

func (e *ecsWriter) Event(ev *schema.Event) error {
	d := obj{"@timestamp": ev.TS.UTC().Format(time.RFC3339Nano), "ecs": obj{"version": "8.11.0"}}
	put(d, "message", ev.Message)
	evo := sub(d, "event")
	evo["kind"] = "event"
	if ev.Action == schema.ActionNotice {
		evo["kind"] = "alert"
	}
	evo["category"] = Category(ev.Action)
	evo["type"] = ecsType(ev.Action)
	put(evo, "action", ev.Action)
	evo["outcome"] = ecsOutcome(ev.Outcome)
	put(evo, "id", ev.ID)
	put(evo, "dataset", "sshtrail."+ev.Format)
	if ev.Duration > 0 {
		evo["duration"] = int64(ev.Duration * 1e9)
	}
	if ev.SrcIP != "" || ev.SrcPort != 0 || ev.BytesOut != 0 {
		s := sub(d, "source")
		put(s, "ip", ev.SrcIP)
		put(s, "port", ev.SrcPort)
		put(s, "bytes", ev.BytesOut)
	}
	if ev.DstIP != "" || ev.DstPort != 0 || ev.DstHost != "" || ev.BytesIn != 0 {
		s := sub(d, "destination")
		put(s, "ip", ev.DstIP)
		put(s, "port", ev.DstPort)
		put(s, "domain", ev.DstHost)
		put(s, "bytes", ev.BytesIn)
	}
	if ev.User != "" || ev.UID != "" {
		u := sub(d, "user")
		put(u, "name", ev.User)
		put(u, "id", ev.UID)
	}
	if ev.Host != "" {
		sub(d, "host")["name"] = ev.Host
	}
	if ev.PID != 0 || ev.Program != "" || ev.Command != "" {
		p := sub(d, "process")
		put(p, "pid", ev.PID)
		put(p, "name", ev.Program)
		put(p, "command_line", ev.Command)
	}
	if ev.File != "" {
		f := sub(sub(d, "log"), "file")
		f["path"] = ev.File
	}
	if ev.Line != 0 {
		sub(d, "log")["offset"] = ev.Line // the line number: ECS has no line field
	}
	var ips, users []string
	for _, ip := range []string{ev.SrcIP, ev.DstIP} {
		if ip != "" && !contains(ips, ip) {
			ips = append(ips, ip)
		}
	}
	if ev.User != "" {
		users = append(users, ev.User)
	}
	if len(ips) > 0 || len(users) > 0 {
		r := sub(d, "related")
		put(r, "ip", ips)
		put(r, "user", users)
		if ev.Host != "" {
			r["hosts"] = []string{ev.Host}
		}
	}
	// ECS has no SSH fieldset: every field without an ECS name (the field
	// table's ECS column) keeps sshtrail's (Zeek-like) name here, so a
	// field added to the table is exported without a change here.
	x := obj{}
	for _, f := range schema.EventFields {
		if f.ECS == "" {
			put(x, f.Name, f.Value(ev))
		}
	}
	put(x, "line", ev.Line)
	if len(x) > 0 {
		d["sshtrail"] = x
	}
	return e.enc.Encode(d)
}

func contains(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

func (e *ecsWriter) Session(s *schema.Session) error {
	d := obj{"@timestamp": s.Start.UTC().Format(time.RFC3339Nano), "ecs": obj{"version": "8.11.0"}}
	d["message"] = "ssh session " + s.SID + " " + s.User + "@" + s.Host + " from " + s.SrcIP
	evo := sub(d, "event")
	evo["kind"] = "event"
	evo["category"] = "session"
	evo["type"] = []string{"info"}
	evo["action"] = "ssh_session"
	evo["outcome"] = ecsOutcome(s.Outcome)
	evo["id"] = s.SID
	evo["start"] = s.Start.UTC().Format(time.RFC3339Nano)
	if !s.End.IsZero() {
		evo["end"] = s.End.UTC().Format(time.RFC3339Nano)
	}
	if s.Duration > 0 {
		evo["duration"] = int64(s.Duration * 1e9)
	}
	if s.SrcIP != "" {
		src := sub(d, "source")
		src["ip"] = s.SrcIP
		put(src, "port", s.SrcPort)
	}
	if s.DstIP != "" {
		sub(d, "destination")["ip"] = s.DstIP
	}
	if s.User != "" {
		sub(d, "user")["name"] = s.User
	}
	if s.Host != "" {
		sub(d, "host")["name"] = s.Host
	}
	r := obj{}
	var ips []string
	for _, ip := range []string{s.SrcIP, s.DstIP} {
		if ip != "" && !contains(ips, ip) {
			ips = append(ips, ip)
		}
	}
	put(r, "ip", ips)
	if s.User != "" {
		r["user"] = []string{s.User}
	}
	if len(r) > 0 {
		d["related"] = r
	}
	x := obj{}
	put(x, "method", s.Method)
	put(x, "key_fp", s.KeyFP)
	put(x, "failures", s.Failures)
	put(x, "commands", s.Commands)
	put(x, "sources", s.Sources)
	put(x, "events", s.Events)
	put(x, "parent", s.Parent)
	d["sshtrail"] = x
	return e.enc.Encode(d)
}

func (e *ecsWriter) Row(r Record) error {
	d := obj{"@timestamp": r.Time.UTC().Format(time.RFC3339Nano), "ecs": obj{"version": "8.11.0"}, "message": r.Message}
	kind := r.Kind
	if kind == "" {
		kind = "alert"
	}
	d["event"] = obj{"kind": kind}
	x := obj{}
	for _, f := range r.Fields {
		x[strings.ToLower(f.Name)] = f.Value
	}
	d["sshtrail"] = x
	return e.enc.Encode(d)
}

func (e *ecsWriter) Close() error { return e.w.Flush() }
