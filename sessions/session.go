package sessions

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Options tune correlation.
type Options struct {
	// Skew is the clock difference tolerated between sources and hosts
	// (default 2 minutes).
	Skew time.Duration
	// Assets states host addresses (config `assets:`): host -> addresses.
	Assets map[string][]string
	// GapSplit: an sshd pid whose last line is older than this starts a
	// new session when an authentication line arrives (default 1 hour).
	GapSplit time.Duration
	// Phase, if set, is told when the rebuild starts each of its steps
	// ("sessions-scan", "sessions-write"): progress for the user, and the
	// points the crash tests kill at.
	Phase func(name string)
}

func (o Options) phase(name string) {
	if o.Phase != nil {
		o.Phase(name)
	}
}

func (o Options) withDefaults() Options {
	if o.Skew <= 0 {
		o.Skew = 2 * time.Minute
	}
	if o.GapSplit <= 0 {
		o.GapSplit = time.Hour
	}
	return o
}

const (
	kindHost = "host" // built from a host's own logs
	kindNet  = "net"  // built from Zeek records only
)

// sess is a session under construction, with the evidence the join needs.
// Its JSON is the builder state kept with stored sessions, so incremental
// rebuilds can re-link hosts that were not re-read.
type sess struct {
	S        schema.Session `json:"s"`
	Kind     string         `json:"k"`
	Format   string         `json:"f,omitempty"`
	PID      int            `json:"pid,omitempty"`
	Ses      string         `json:"ses,omitempty"`
	TTY      string         `json:"tty,omitempty"`
	ZeekUID  string         `json:"zuid,omitempty"`
	Sensor   string         `json:"sensor,omitempty"`
	DstPort  int            `json:"dport,omitempty"`
	BytesOut int64          `json:"bo,omitempty"`
	BytesIn  int64          `json:"bi,omitempty"`
	Accepted bool           `json:"acc,omitempty"`
	Closed   bool           `json:"closed,omitempty"`
	NFail    int            `json:"nf,omitempty"`
	NInvalid int            `json:"ni,omitempty"`
	// NAudit counts auditd's failed PAM authentications: on a host whose
	// sshd lines are missing they are the only record of the attempts
	// (auditd USER_AUTH is the same attempt as sshd's line, so only the
	// larger count is a session's failures).
	NAudit  int  `json:"na,omitempty"`
	PreFail bool `json:"pf,omitempty"` // a failure signal other than attempts (pam, pre-auth disconnect)
	// Began: the host log holds the connection's start (its connection,
	// an attempt or the accept), not only its end.
	Began bool      `json:"began,omitempty"`
	Last  time.Time `json:"last"`
	// EvOff, EvN: in stored state, where this base's events lie in the
	// stored session's event list (the ids are stored once, with the
	// session).
	EvOff int `json:"eo,omitempty"`
	EvN   int `json:"en,omitempty"`

	lk *lsess // its compact record, once spilled (Rebuild)

	keys   []hostKey // pids mapped to this session while building
	merged []*sess   // bases folded into this one by the join
	gone   bool      // folded into another session
}

// node names the machine a session logged into: its host, or for a
// network-only session its destination address.
func (s *sess) node() string {
	if s.S.Host != "" {
		return s.S.Host
	}
	return s.S.DstIP
}

func (s *sess) addEvent(ev *schema.Event) {
	s.S.Events = append(s.S.Events, ev.ID)
	if !slices.Contains(s.S.Sources, ev.Format) {
		s.S.Sources = append(s.S.Sources, ev.Format)
	}
	if !ev.TS.IsZero() {
		if s.S.Start.IsZero() || ev.TS.Before(s.S.Start) {
			s.S.Start = ev.TS
		}
		if ev.TS.After(s.Last) {
			s.Last = ev.TS
		}
	}
}

// finish fixes the derived fields once no more events will come.
func (s *sess) finish() {
	if s.S.SID == "" && len(s.S.Events) > 0 {
		s.S.SID = sidOf(s.S.Events[0])
	}
	if s.Kind == kindNet {
		return
	}
	s.S.Failures = max(s.NFail, s.NInvalid, s.NAudit)
	switch {
	case s.Accepted:
		s.S.Outcome = schema.OutcomeSuccess
	case s.NFail > 0 || s.NInvalid > 0 || s.NAudit > 0 || s.PreFail:
		s.S.Outcome = schema.OutcomeFailure
	default:
		s.S.Outcome = schema.OutcomeUnknown
	}
	// A connection that never logged in is over at its last line even when
	// no disconnect was logged; a login without a close is still open.
	if !s.Accepted && s.S.End.IsZero() {
		s.S.End = s.Last
	}
	if !s.S.End.IsZero() && !s.S.Start.IsZero() {
		s.S.Duration = s.S.End.Sub(s.S.Start).Seconds()
	}
}

// sidOf derives a stable session id from its first event.
func sidOf(eventID string) string {
	h := sha256.Sum256([]byte("session\x00" + eventID))
	return hex.EncodeToString(h[:8])
}
