package sessions

import (
	"strings"

	"github.com/sshtrail/sshtrail/schema"
)

// zeekBuilder joins each ssh.log record to the conn.log record with the same
// uid. Either may come first (they are different files); the half that
// arrives first waits. conn records wait only when they can be SSH (service
// ssh or port 22): an ssh.log record exists only when Zeek's SSH analyzer
// ran, and that also sets the conn service.
type zeekBuilder struct {
	ssh  map[string]*sess
	conn map[string]*schema.Event
	emit func(*sess)
}

func newZeekBuilder(emit func(*sess)) *zeekBuilder {
	return &zeekBuilder{ssh: map[string]*sess{}, conn: map[string]*schema.Event{}, emit: emit}
}

// zeekKey is the uid alone: ssh.log and conn.log of one connection may
// name the sensor differently (a cluster's conn.log has _node_name, its
// ssh.log not), and uids are random 96-bit strings.
func zeekKey(ev *schema.Event) string { return ev.ZeekUID }

func (z *zeekBuilder) add(ev *schema.Event) {
	k := zeekKey(ev)
	switch ev.Format {
	case schema.FormatZeekSSH:
		s := netSession(ev)
		s.S.Outcome = ev.Outcome
		if s.S.Outcome == "" {
			s.S.Outcome = schema.OutcomeUnknown
		}
		if k == "" {
			z.done(s)
			return
		}
		if c := z.conn[k]; c != nil {
			delete(z.conn, k)
			joinConn(s, c)
			z.done(s)
			return
		}
		if old := z.ssh[k]; old != nil { // a repeated uid: keep both records
			z.done(old)
		}
		z.ssh[k] = s
	case schema.FormatZeekConn:
		if k == "" {
			return
		}
		if s := z.ssh[k]; s != nil {
			delete(z.ssh, k)
			joinConn(s, ev)
			z.done(s)
			return
		}
		if strings.Contains(ev.Service, "ssh") || ev.DstPort == 22 {
			z.conn[k] = ev
		}
	}
}

func netSession(ev *schema.Event) *sess {
	s := &sess{Kind: kindNet, Format: ev.Format, ZeekUID: ev.ZeekUID, Sensor: ev.Host, DstPort: ev.DstPort}
	s.S.SrcIP, s.S.SrcPort, s.S.DstIP = ev.SrcIP, ev.SrcPort, ev.DstIP
	s.addEvent(ev)
	s.S.Outcome = schema.OutcomeUnknown
	sizes(s, ev)
	return s
}

func joinConn(s *sess, c *schema.Event) {
	s.addEvent(c)
	sizes(s, c)
	if s.S.SrcIP == "" {
		s.S.SrcIP, s.S.SrcPort, s.S.DstIP, s.DstPort = c.SrcIP, c.SrcPort, c.DstIP, c.DstPort
	}
}

func sizes(s *sess, ev *schema.Event) {
	if ev.Duration > s.S.Duration {
		s.S.Duration = ev.Duration
	}
	s.BytesOut = max(s.BytesOut, ev.BytesOut)
	s.BytesIn = max(s.BytesIn, ev.BytesIn)
}

func (z *zeekBuilder) done(s *sess) {
	if s.S.Duration > 0 && !s.S.Start.IsZero() {
		s.S.End = s.S.Start.Add(seconds(s.S.Duration))
	}
	s.finish()
	z.emit(s)
}

// flush emits the halves that never met: an ssh record without conn, and
// SSH conn records without an ssh record (a sensor that logs conn only).
func (z *zeekBuilder) flush() {
	for k, s := range z.ssh {
		delete(z.ssh, k)
		z.done(s)
	}
	for k, c := range z.conn {
		delete(z.conn, k)
		z.done(netSession(c))
	}
}
