package unified

import (
	"bytes"
	"strconv"
	"time"
)

// Text styles of `log show` (all begin with the date and time):
//
//	default: 2026-03-14 03:40:12.123456+0000 0x1a2b  Default  0x0  1234  0  sshd: message
//	compact: 2026-03-14 03:40:12.123 Df sshd[1234:5678] message         (local time, no zone)
//	syslog:  2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: message
const (
	styleDefault = "default"
	styleCompact = "compact"
	styleSyslog  = "syslog"
)

// textRecord is one parsed record line of a text style.
type textRecord struct {
	Style   string
	TSRaw   string
	TS      time.Time // zero-zone for compact: read in the user's zone by the caller
	Zoned   bool      // the timestamp carried its UTC offset
	Host    string    // syslog style only
	Program string
	PID     int
	Message string
}

// lineKind says what a text line is.
type lineKind int

const (
	kindRecord lineKind = iota
	kindHeader          // banner, column header, separator or footer: skipped
	kindOther           // no record start: a continuation of a multi-line message, or junk
)

// headers are the lines `log show` writes around the records.
var headers = [][]byte{
	[]byte("Filtering the log data using"),
	[]byte("Skipping info and debug messages"),
	[]byte("Timestamp "),
	[]byte("---"),
}

func isHeader(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return true
	}
	for _, h := range headers {
		if bytes.HasPrefix(b, h) {
			return true
		}
	}
	// Footers: "Log      - Default:  12, Info: 0, ..." and
	// "Activity - Create:  0, Transition: 0, Actions: 0".
	return (bytes.HasPrefix(b, []byte("Log ")) && bytes.Contains(b, []byte("- Default:"))) ||
		(bytes.HasPrefix(b, []byte("Activity ")) && bytes.Contains(b, []byte("- Create:")))
}

// parseTextLine parses one line of a text style. It never fails: what is
// not a record is a header or "other".
func parseTextLine(b []byte) (textRecord, lineKind) {
	if isHeader(b) {
		return textRecord{}, kindHeader
	}
	var r textRecord
	rest, ok := r.stamp(b)
	if !ok {
		return textRecord{}, kindOther
	}
	var done bool
	switch {
	case !r.Zoned:
		r.Style = styleCompact
		done = r.compact(rest)
	case bytes.HasPrefix(rest, []byte("0x")):
		r.Style = styleDefault
		done = r.defaultStyle(rest)
	default:
		r.Style = styleSyslog
		done = r.syslog(rest)
	}
	if !done || r.Program == "" {
		return textRecord{}, kindOther
	}
	return r, kindRecord
}

// stamp reads "YYYY-MM-DD HH:MM:SS[.frac][±hhmm]" and returns what follows
// (leading blanks dropped).
func (r *textRecord) stamp(b []byte) ([]byte, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return nil, false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(b[i]) {
			return nil, false
		}
	}
	end := 19
	if b[end] == '.' {
		end++
		for end < len(b) && isDigit(b[end]) {
			end++
		}
	}
	if end+5 <= len(b) && (b[end] == '+' || b[end] == '-') && allDigits(b[end+1:end+5]) {
		r.Zoned = true
		end += 5
	}
	if end < len(b) && b[end] != ' ' && b[end] != '\t' {
		return nil, false
	}
	r.TSRaw = string(b[:end])
	var err error
	if r.Zoned {
		r.TS, err = time.Parse("2006-01-02 15:04:05-0700", r.TSRaw)
	} else {
		r.TS, err = time.Parse("2006-01-02 15:04:05", r.TSRaw)
	}
	if err != nil {
		return nil, false
	}
	return trimBlank(b[end:]), true
}

// defaultStyle reads "0x1a2b  Default  0x0  1234  0  sshd: message".
func (r *textRecord) defaultStyle(b []byte) bool {
	var cols [5][]byte // thread, type, activity, pid, ttl
	for i := range cols {
		cols[i], b = field(b)
	}
	pid, ok := atoi(cols[3])
	if !ok || !allDigits(cols[4]) || !bytes.HasPrefix(cols[2], []byte("0x")) {
		return false
	}
	r.PID = pid
	i := bytes.IndexByte(b, ':')
	if i <= 0 || (i+1 < len(b) && b[i+1] != ' ') {
		return false
	}
	r.Program = string(b[:i])
	r.Message = stripPrefixes(b[i+1:])
	return true
}

// compact reads "Df sshd[1234:5678] message".
func (r *textRecord) compact(b []byte) bool {
	typ, b := field(b)
	if len(typ) == 0 {
		return false
	}
	prog, pid, rest, ok := procPID(b, ' ')
	if !ok {
		return false
	}
	if c := bytes.IndexByte(pid, ':'); c >= 0 {
		pid = pid[:c] // the thread id follows, in hex
	}
	r.Program = string(prog)
	r.PID, ok = atoi(pid)
	r.Message = stripPrefixes(rest)
	return ok
}

// syslog reads "localhost sshd[3186]: message".
func (r *textRecord) syslog(b []byte) bool {
	host, b := field(b)
	prog, pid, rest, ok := procPID(b, ':')
	if !ok || len(host) == 0 {
		return false
	}
	r.Host = string(host)
	r.Program = string(prog)
	r.PID, ok = atoi(pid)
	r.Message = stripPrefixes(rest)
	return ok
}

// procPID splits "name[pid]<after> rest" at the first "]": a process name
// has no "]", and the message (which may hold anything) comes after it.
func procPID(b []byte, after byte) (prog, pid, rest []byte, ok bool) {
	end := bytes.IndexByte(b, ']')
	open := bytes.LastIndexByte(b[:max(end, 0)], '[')
	if end < 0 || open <= 0 {
		return nil, nil, nil, false
	}
	rest = b[end+1:]
	if after != ' ' {
		if len(rest) == 0 || rest[0] != after {
			return nil, nil, nil, false
		}
		rest = rest[1:]
	}
	if len(rest) > 0 && rest[0] != ' ' {
		return nil, nil, nil, false
	}
	return b[:open], b[open+1 : end], rest, true
}

// stripPrefixes drops the blank after the header, then the sender image
// "(libpam.2.dylib) " and "[subsystem:category] " that the text styles put
// before the message; eventMessage in the JSON styles holds neither.
func stripPrefixes(b []byte) string {
	if len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for _, p := range [][2]byte{{'(', ')'}, {'[', ']'}} {
		if len(b) == 0 || b[0] != p[0] {
			continue
		}
		end := bytes.IndexByte(b, p[1])
		if end > 1 && end+1 < len(b) && b[end+1] == ' ' && bytes.IndexByte(b[:end], ' ') < 0 &&
			(p[0] == '(' || bytes.IndexByte(b[:end], ':') > 0) {
			b = b[end+2:]
		}
	}
	return string(b)
}

// field returns the next blank-separated word and what follows it.
func field(b []byte) (word, rest []byte) {
	b = trimBlank(b)
	i := bytes.IndexAny(b, " \t")
	if i < 0 {
		return b, nil
	}
	return b[:i], trimBlank(b[i:])
}

func trimBlank(b []byte) []byte { return bytes.TrimLeft(b, " \t") }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

func atoi(b []byte) (int, bool) {
	if !allDigits(b) || len(b) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil
}
