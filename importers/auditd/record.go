package auditd

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Field is one key=value pair of a record, in the order written.
type Field struct {
	Key    string
	Val    string
	Quoted bool // the value was in double quotes, so it is literal, never hex
}

// Record is one audit.log line:
//
//	[node=H ]type=T msg=audit(EPOCH.mmm:SERIAL):[ user] k=v ... [msg='k=v ...'][\x1dK="v" ...]
type Record struct {
	Node     string
	Type     string
	Stamp    string // "1364481363.243:24287", kept as ts_raw
	TS       time.Time
	Serial   uint64
	Fields   []Field // outer fields
	Msg      []Field // fields inside msg='...' (user-space records)
	HasMsg   bool    // the record carried msg='...': a complete user-space event
	Enriched []Field // ENRICHED trailer after \x1d (UID="root" AUID="alice")
}

var (
	errNoType  = errors.New("no type= at line start")
	errNoAudit = errors.New("no msg=audit(...) stamp")
	errStamp   = errors.New("bad audit(epoch:serial) stamp")
)

// ParseRecord parses one line. It never panics on any input; an error means
// the line is not an audit record.
func ParseRecord(line string) (Record, error) {
	var r Record
	s := line
	if strings.HasPrefix(s, "node=") {
		sp := strings.IndexByte(s, ' ')
		if sp < 0 {
			return r, errNoType
		}
		r.Node = s[len("node="):sp]
		s = s[sp+1:]
	}
	if !strings.HasPrefix(s, "type=") {
		return r, errNoType
	}
	s = s[len("type="):]
	sp := strings.IndexByte(s, ' ')
	if sp <= 0 {
		return r, errNoAudit
	}
	r.Type = s[:sp]
	s = s[sp+1:]
	if !strings.HasPrefix(s, "msg=audit(") {
		return r, errNoAudit
	}
	s = s[len("msg=audit("):]
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return r, errStamp
	}
	if err := r.parseStamp(s[:end]); err != nil {
		return r, err
	}
	s = strings.TrimPrefix(s[end+1:], ":")
	// The ENRICHED trailer is always last; anchor on the LAST separator so a
	// value cannot forge one (auditd hex-encodes control bytes anyway).
	if gs := strings.LastIndexByte(s, 0x1d); gs >= 0 {
		r.Enriched = parseFields(s[gs+1:], nil, nil)
		s = s[:gs]
	}
	r.Fields = parseFields(s, &r.Msg, &r.HasMsg)
	return r, nil
}

func (r *Record) parseStamp(st string) error {
	colon := strings.IndexByte(st, ':')
	if colon < 0 {
		return errStamp
	}
	secs, serial := st[:colon], st[colon+1:]
	frac := ""
	if dot := strings.IndexByte(secs, '.'); dot >= 0 {
		secs, frac = secs[:dot], secs[dot+1:]
	}
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || sec < 0 || !digits(frac) || len(frac) > 9 {
		return errStamp
	}
	ser, err := strconv.ParseUint(serial, 10, 64)
	if err != nil {
		return errStamp
	}
	var nsec int64
	if frac != "" {
		n, _ := strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	r.Stamp = st
	r.TS = time.Unix(sec, nsec).UTC()
	r.Serial = ser
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseFields splits `k=v k="v v" word k=` into fields. Bare words without
// '=' (the "user" of "): user pid=", "auditd start,") are dropped, except that
// sshd writes some op values with a space ("op=maxtries exceeded"): a bare
// word right after op= is joined to it. When msg is non-nil, msg='...' is
// parsed into *msg; its closing quote is the LAST ' of the text, because
// msg='...' is always the final field and its values may hold a quote.
func parseFields(s string, msg *[]Field, hasMsg *bool) []Field {
	var out []Field
	lastOp := false
	for len(s) > 0 {
		if s[0] == ' ' || s[0] == '\t' {
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && s[i] != '=' && s[i] != ' ' {
			i++
		}
		if i == len(s) || s[i] == ' ' {
			if lastOp && i > 0 {
				out[len(out)-1].Val += " " + s[:i]
			}
			s = s[i:]
			continue
		}
		key := s[:i]
		s = s[i+1:]
		lastOp = false
		switch {
		case key == "msg" && msg != nil && strings.HasPrefix(s, "'"):
			inner := s[1:]
			if q := strings.LastIndexByte(inner, '\''); q >= 0 {
				inner = inner[:q]
			}
			*msg = parseFields(inner, nil, nil)
			*hasMsg = true
			s = ""
		case strings.HasPrefix(s, `"`):
			q := strings.IndexByte(s[1:], '"')
			if q < 0 {
				out = append(out, Field{Key: key, Val: s[1:], Quoted: true})
				s = ""
				break
			}
			out = append(out, Field{Key: key, Val: s[1 : q+1], Quoted: true})
			s = s[q+2:]
		default:
			j := strings.IndexAny(s, " \t")
			if j < 0 {
				j = len(s)
			}
			out = append(out, Field{Key: key, Val: s[:j]})
			lastOp = key == "op"
			s = s[j:]
		}
	}
	return out
}

// lookup returns the raw value of key in fs.
func lookup(fs []Field, key string) (Field, bool) {
	for _, f := range fs {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Get returns the value of key (hex decoded where auditd encodes), looking inside msg='...' first (the
// user-space fields) and then in the outer record.
func (r *Record) Get(key string) string {
	if f, ok := lookup(r.Msg, key); ok {
		return r.value(f)
	}
	if f, ok := lookup(r.Fields, key); ok {
		return r.value(f)
	}
	return ""
}

// Outer returns the decoded value of an outer (kernel-written) field.
func (r *Record) Outer(key string) string {
	f, _ := lookup(r.Fields, key)
	return r.value(f)
}

// value decodes f as auditd wrote it in a record of r's type. aN is an
// argv string only in EXECVE; in SYSCALL a0..a3 are register values in hex
// ("a2=10" is sixteen, not a DLE byte).
func (r *Record) value(f Field) string {
	if argIndex(f.Key) >= 0 && r.Type != "EXECVE" {
		return f.Val
	}
	return decode(f)
}

// EnrichedVal returns an ENRICHED translation (AUID, UID, ID...).
func (r *Record) EnrichedVal(key string) string {
	f, _ := lookup(r.Enriched, key)
	return f.Val
}

// decode turns an auditd value into text the way auparse does. auditd (the
// kernel's audit_log_untrustedstring, libaudit's audit_encode_value) writes
// an untrusted string in double quotes when it is plain printable ASCII
// without a space or '"', and otherwise as bare upper-case hex of its bytes.
// So a quoted value is literal, and a bare even-length run of 0-9A-F in a
// field auditd encodes is hex: acct=615F746D75 is "a_tmu", and a plain
// account is never bare (acct="DEADBEEF" would be quoted). Bare values that
// are not hex are auditd's placeholders ((null), ?, (none)) and stay as
// written. The decoded bytes are kept exactly, spaces, control bytes,
// non-UTF-8 and NULs (proctitle argv separators) included: making them
// inert is every output's job, not the importer's.
func decode(f Field) string {
	if f.Quoted || !encodable(f.Key) || !isHex(f.Val) {
		return f.Val
	}
	b, err := hex.DecodeString(f.Val)
	if err != nil {
		return f.Val
	}
	return string(b)
}

// encodable reports whether auditd may hex-encode the field: libauparse's
// "escaped" fields (auparse/typetab.h), proctitle, TTY data, and EXECVE's
// arguments. Everything else is written raw (pid=1298, hostname=, terminal=,
// grantors= of PAM), so an all-hex value there is literal.
func encodable(key string) bool {
	switch key {
	case "acct", "exe", "comm", "ocomm", "cmd", "cwd", "name", "path", "file", "dir", "watch",
		"proctitle", "data", "key", "vm", "device", "cgroup", "grp", "new_group", "sw", "root_dir",
		"invalid_context", "old-chardev", "new-chardev", "old-disk", "new-disk", "old-fs", "new-fs",
		"old-net", "new-net", "old-rng", "new-rng":
		return true
	}
	return argIndex(key) >= 0
}

// argIndex returns N for an EXECVE argument key "aN" or "aN[i]", else -1.
func argIndex(key string) int {
	if len(key) < 2 || key[0] != 'a' {
		return -1
	}
	k := key[1:]
	if b := strings.IndexByte(k, '['); b >= 0 {
		if !strings.HasSuffix(k, "]") || !digits(k[b+1:len(k)-1]) || b+1 == len(k)-1 {
			return -1
		}
		k = k[:b]
	}
	if k == "" || len(k) > 7 || !digits(k) {
		return -1
	}
	n, _ := strconv.Atoi(k)
	return n
}

// isHex reports whether v looks like auditd's hex encoding: even length,
// only 0-9A-F. Numbers such as pid=1298 also match, so decode() is only used
// for fields that auditd may encode.
func isHex(v string) bool {
	if len(v) == 0 || len(v)%2 != 0 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
