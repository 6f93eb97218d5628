package gen

import "strconv"

// hostLog is where a host's syslog-style lines go: Debian auth.log, RHEL
// secure, journald JSON or macOS unified ndjson. event says whether the
// importers make an event of the line (sshd, sudo, logind sessions) or
// count it as ignored (CRON, logind chatter).
type hostLog interface {
	line(h *host, us int64, prog string, pid int, msg []byte, event bool)
	file() *out
}

// syslogLog writes RFC 3164 (auth.log) or rsyslog ISO 8601 (secure) lines.
type syslogLog struct {
	o   *out
	iso bool
}

func (s *syslogLog) file() *out { return s.o }

func (s *syslogLog) line(h *host, us int64, prog string, pid int, msg []byte, event bool) {
	o := s.o
	us = o.mono(us)
	b := o.buf[:0]
	if s.iso {
		b = o.clock.iso8601(b, us)
	} else {
		b = o.clock.rfc3164(b, us)
	}
	b = append(b, ' ')
	b = append(b, h.name...)
	b = append(b, ' ')
	b = append(b, prog...)
	b = append(b, '[')
	b = appendInt(b, pid)
	b = append(b, "]: "...)
	b = append(b, msg...)
	b = append(b, '\n')
	o.buf = b
	o.write(b, event)
}

// journalLog writes `journalctl -o json` records.
type journalLog struct {
	o    *out
	boot string // 32 hex digits
	seq  int64
	up   int64 // boot time, µs
}

func (j *journalLog) file() *out { return j.o }

type progMeta struct{ comm, exe, unit, facility, transport string }

var journalMeta = map[string]progMeta{
	"sshd":           {"sshd", "/usr/sbin/sshd", "ssh.service", "10", "syslog"},
	"sudo":           {"sudo", "/usr/bin/sudo", "", "10", "syslog"},
	"CRON":           {"cron", "/usr/sbin/cron", "cron.service", "10", "syslog"},
	"polkitd":        {"polkitd", "/usr/lib/polkit-1/polkitd", "polkit.service", "10", "syslog"},
	"systemd-logind": {"systemd-logind", "/usr/lib/systemd/systemd-logind", "systemd-logind.service", "4", "journal"},
}

func (j *journalLog) line(h *host, us int64, prog string, pid int, msg []byte, event bool) {
	o := j.o
	// The journal importer counts lines exactly as the auth.log importer
	// does (unknown logind/sudo chatter is ignored by both).
	us = o.mono(us)
	j.seq++
	m := journalMeta[prog]
	mono := us - j.up
	b := append(o.buf[:0], `{"__CURSOR":"s=`...)
	b = append(b, j.boot...)
	b = append(b, ";i="...)
	b = strconv.AppendInt(b, j.seq, 16)
	b = append(b, ";b="...)
	b = append(b, j.boot...)
	b = append(b, ";m="...)
	b = strconv.AppendInt(b, mono, 16)
	b = append(b, ";t="...)
	b = strconv.AppendInt(b, us, 16)
	b = append(b, ";x="...)
	b = strconv.AppendInt(b, (j.seq*2654435761)&0xffffffffffff, 16)
	b = append(b, `","__REALTIME_TIMESTAMP":"`...)
	b = strconv.AppendInt(b, us, 10)
	b = append(b, `","__MONOTONIC_TIMESTAMP":"`...)
	b = strconv.AppendInt(b, mono, 10)
	b = append(b, `","_BOOT_ID":"`...)
	b = append(b, j.boot...)
	b = append(b, `","PRIORITY":"6","SYSLOG_FACILITY":"`...)
	b = append(b, m.facility...)
	b = append(b, `","SYSLOG_IDENTIFIER":"`...)
	b = append(b, prog...)
	b = append(b, `","SYSLOG_PID":"`...)
	b = appendInt(b, pid)
	b = append(b, `","_PID":"`...)
	b = appendInt(b, pid)
	b = append(b, `","_UID":"0","_GID":"0","_COMM":"`...)
	b = append(b, m.comm...)
	b = append(b, `","_EXE":"`...)
	b = append(b, m.exe...)
	if m.unit != "" {
		b = append(b, `","_SYSTEMD_UNIT":"`...)
		b = append(b, m.unit...)
	}
	b = append(b, `","_TRANSPORT":"`...)
	b = append(b, m.transport...)
	b = append(b, `","_HOSTNAME":"`...)
	b = append(b, h.name...)
	b = append(b, `","_MACHINE_ID":"`...)
	b = append(b, h.machineID...)
	b = append(b, `","MESSAGE":`...)
	b = appendJSONString(b, msg)
	b = append(b, "}\n"...)
	o.buf = b
	o.write(b, event)
}

// unifiedLog writes `log show --style ndjson --predicate 'process BEGINSWITH
// "sshd"'` records: sshd-session's own lines only (macOS has no pam_unix
// session lines, and the filter leaves out everything else).
type unifiedLog struct {
	o      *out
	thread int
}

func (u *unifiedLog) file() *out { return u.o }

const unifiedBanner = `Filtering the log data using "process BEGINSWITH \"sshd\""` + "\n"

func (u *unifiedLog) line(h *host, us int64, prog string, pid int, msg []byte, event bool) {
	if prog != "sshd" || len(msg) > 4 && string(msg[:4]) == "pam_" {
		return
	}
	o := u.o
	us = o.mono(us)
	u.thread += 7
	b := append(o.buf[:0], `{"timezoneName":"","messageType":"Default","eventType":"logEvent","source":null,"formatString":"%{public}s","userID":0,"activityIdentifier":0,"subsystem":"","category":"","threadID":`...)
	b = appendInt(b, 100000+u.thread%900000)
	b = append(b, `,"senderImageUUID":"1B6F3A9D-4E2C-3A87-9D51-7F0C2E8B6A34","backtrace":{"frames":[{"imageOffset":24812,"imageUUID":"1B6F3A9D-4E2C-3A87-9D51-7F0C2E8B6A34"}]},"bootUUID":"`...)
	b = append(b, h.bootUUID...)
	b = append(b, `","processImagePath":"\/usr\/libexec\/sshd-session","senderImagePath":"\/usr\/lib\/system\/libsystem_c.dylib","timestamp":"`...)
	b = o.clock.unified(b, us)
	b = append(b, `","machTimestamp":`...)
	b = strconv.AppendInt(b, (us-h.bootUS)*1000/41+1, 10)
	b = append(b, `,"eventMessage":`...)
	b = appendJSONString(b, msg)
	b = append(b, `,"processImageUUID":"8E4B2D19-6A3C-3F75-B0D8-1C9E7A5F3B26","traceID":0,"processID":`...)
	b = appendInt(b, pid)
	b = append(b, `,"senderProgramCounter":24812,"parentActivityIdentifier":0}`+"\n"...)
	o.buf = b
	o.write(b, true)
}
