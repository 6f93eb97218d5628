package unified

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"time"
)

// jsonRecord is the part of one `log show --style json|ndjson` entry that
// sshtrail reads. macOS writes many more keys (traceID, machTimestamp,
// threadID, senderImagePath, bootUUID, backtrace, ...); they are skipped.
type jsonRecord struct {
	Timestamp        string `json:"timestamp"`
	EventMessage     string `json:"eventMessage"`
	ProcessID        int64  `json:"processID"`
	ProcessImagePath string `json:"processImagePath"`
	Subsystem        string `json:"subsystem"`
	Category         string `json:"category"`
	MessageType      string `json:"messageType"`
	EventType        string `json:"eventType"`
	Finished         *int   `json:"finished"` // only in the ndjson trailer {"count":N,"finished":1}
}

// entry is a decoded record, whatever the style.
type entry struct {
	TS      time.Time
	TSRaw   string
	Host    string // only the syslog text style has one
	Program string
	PID     int
	Message string
}

var (
	errTrailer = errors.New("trailer")
	errNotLog  = errors.New("not a log event")
)

// parseJSONRecord decodes one entry. It returns errTrailer for ndjson's
// closing count object and errNotLog for activity, signpost and timesync
// entries, which hold no log message.
func parseJSONRecord(b []byte) (entry, error) {
	var r jsonRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return entry{}, err
	}
	if r.Finished != nil && r.Timestamp == "" {
		return entry{}, errTrailer
	}
	if r.EventType != "" && r.EventType != "logEvent" {
		return entry{}, errNotLog
	}
	ts, err := time.Parse("2006-01-02 15:04:05-0700", r.Timestamp)
	if err != nil {
		return entry{}, fmt.Errorf("timestamp %.40q", r.Timestamp)
	}
	if r.ProcessImagePath == "" {
		return entry{}, errors.New("no processImagePath")
	}
	if r.ProcessID < 0 || r.ProcessID > 1<<31 {
		return entry{}, fmt.Errorf("processID %d", r.ProcessID)
	}
	return entry{
		TS:      ts,
		TSRaw:   r.Timestamp,
		Program: path.Base(r.ProcessImagePath),
		PID:     int(r.ProcessID),
		Message: r.EventMessage,
	}, nil
}
