package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// record is the part of one `journalctl -o json` object sshtrail reads.
// Every journald value may be a string, an array of byte values (non-UTF-8
// or control characters), an array of either (a field set several times) or
// null (over journalctl's size limit), so each is kept raw and decoded by
// value().
type record struct {
	Message        json.RawMessage `json:"MESSAGE"`
	Realtime       json.RawMessage `json:"__REALTIME_TIMESTAMP"`
	SourceRealtime json.RawMessage `json:"_SOURCE_REALTIME_TIMESTAMP"`
	Hostname       json.RawMessage `json:"_HOSTNAME"`
	Identifier     json.RawMessage `json:"SYSLOG_IDENTIFIER"`
	Comm           json.RawMessage `json:"_COMM"`
	PID            json.RawMessage `json:"_PID"`
	SyslogPID      json.RawMessage `json:"SYSLOG_PID"`
	Cursor         json.RawMessage `json:"__CURSOR"`
}

// fields is a decoded record.
type fields struct {
	Message string
	TS      time.Time
	TSRaw   string // the microseconds as written
	Host    string
	Program string
	PID     int
	Cursor  string
}

var errNoTime = errors.New("no __REALTIME_TIMESTAMP")

// parseRecord decodes one journal JSON object. It fails on bad JSON and on a
// record with no usable time; a missing MESSAGE is an empty message.
func parseRecord(b []byte) (fields, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return fields{}, err
	}
	var f fields
	var err error
	if f.Message, err = value(r.Message); err != nil {
		return f, fmt.Errorf("MESSAGE: %w", err)
	}
	f.Host, _ = value(r.Hostname)
	f.Program, _ = value(r.Identifier)
	if f.Program == "" {
		f.Program, _ = value(r.Comm)
	}
	f.Cursor, _ = value(r.Cursor)
	for _, raw := range []json.RawMessage{r.PID, r.SyslogPID} {
		s, _ := value(raw)
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			f.PID = n
			break
		}
	}
	// __REALTIME_TIMESTAMP is when journald received the record; the
	// client-supplied _SOURCE_REALTIME_TIMESTAMP is only a fallback.
	for _, raw := range []json.RawMessage{r.Realtime, r.SourceRealtime} {
		s, _ := value(raw)
		if us, err := strconv.ParseInt(s, 10, 64); err == nil && us > 0 {
			f.TS = time.UnixMicro(us).UTC()
			f.TSRaw = s
			return f, nil
		}
	}
	return f, errNoTime
}

// value decodes a journald JSON value: a string, null (""), an array of byte
// values, or an array of values (a field set more than once: the first one).
func value(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		// Most values hold no escapes: slice them out rather than scan
		// them again (the record was validated when it was decoded).
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), nil
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return "", err
		}
		if len(items) == 0 {
			return "", nil
		}
		if c := bytes.TrimSpace(items[0]); len(c) > 0 && (c[0] == '"' || c[0] == '[' || c[0] == 'n') {
			return value(items[0])
		}
		return byteArray(items)
	}
	return "", fmt.Errorf("unexpected JSON value %.20q", raw)
}

// byteArray turns [85,110,...] into the bytes it spells, kept as-is (not
// necessarily UTF-8: display layers escape it).
func byteArray(items []json.RawMessage) (string, error) {
	out := make([]byte, 0, len(items))
	for _, it := range items {
		n, err := strconv.ParseUint(string(bytes.TrimSpace(it)), 10, 8)
		if err != nil {
			return "", fmt.Errorf("byte array: %w", err)
		}
		out = append(out, byte(n))
	}
	return string(out), nil
}
