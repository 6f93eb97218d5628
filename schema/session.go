package schema

import "time"

// Session is one SSH login from start to end, rebuilt by correlation from
// every source that saw it. The JSON names are a contract (issue 4).
type Session struct {
	SID      string    `json:"sid"`
	Host     string    `json:"host,omitempty"`
	DstIP    string    `json:"dst_ip,omitempty"`
	User     string    `json:"user,omitempty"`
	SrcIP    string    `json:"src_ip,omitempty"`
	SrcPort  int       `json:"src_port,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"` // zero: still open at the end of the data
	Duration float64   `json:"duration,omitempty"`
	Method   string    `json:"method,omitempty"`
	KeyFP    string    `json:"key_fp,omitempty"`
	Outcome  string    `json:"outcome,omitempty"`
	Failures int       `json:"failures,omitempty"`
	Commands []string  `json:"commands,omitempty"`
	Sources  []string  `json:"sources,omitempty"`
	Events   []string  `json:"events,omitempty"`
	Parent   string    `json:"parent,omitempty"`
	// Notes say what the evidence lacks or contradicts ("the host log
	// lacks the logon's start"): gaps that are evidence themselves.
	Notes []string `json:"notes,omitempty"`
}
