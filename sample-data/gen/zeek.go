package gen

import "time"

// Zeek logs, TSV as Zeek writes them by default and JSON (LogAscii::use_json).

const (
	connFields = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n" +
		"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n"
	sshFields = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tauth_success\tauth_attempts\tdirection\tclient\tserver\tcipher_alg\tmac_alg\tcompression_alg\tkex_alg\thost_key_alg\thost_key\n" +
		"#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tbool\tcount\tenum\tstring\tstring\tstring\tstring\tstring\tstring\tstring\tstring\n"
	noticeFields = "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tfuid\tfile_mime_type\tfile_desc\tproto\tnote\tmsg\tsub\tsrc\tdst\tp\tn\tpeer_descr\tactions\temail_dest\tsuppress_for\n" +
		"#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tenum\tenum\tstring\tstring\taddr\taddr\tport\tcount\tstring\tset[enum]\tset[string]\tinterval\n"
)

// zeekHeaderLines is the number of lines before the first record.
const zeekHeaderLines = 8

func zeekStamp(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02-15-04-05")
}

// zeekHeader writes #separator .. #types.
func zeekHeader(o *out, path, fields string, open time.Time) {
	b := append(o.buf[:0], "#separator \\x09\n"...)
	o.write(b, false)
	b = append(b[:0], "#set_separator\t,\n"...)
	o.write(b, false)
	b = append(b[:0], "#empty_field\t(empty)\n"...)
	o.write(b, false)
	b = append(b[:0], "#unset_field\t-\n"...)
	o.write(b, false)
	b = append(append(append(b[:0], "#path\t"...), path...), '\n')
	o.write(b, false)
	b = append(zeekStamp(append(b[:0], "#open\t"...), open), '\n')
	o.write(b, false)
	// #fields and #types
	i := 0
	for i < len(fields) && fields[i] != '\n' {
		i++
	}
	o.write([]byte(fields[:i+1]), false)
	o.write([]byte(fields[i+1:]), false)
	o.buf = b
}

func zeekClose(o *out, at time.Time) {
	o.limit = 0 // the footer is written whatever the record limit
	b := append(zeekStamp(append(o.buf[:0], "#close\t"...), at), '\n')
	o.write(b, false)
	o.buf = b
}

// conn is one connection as Zeek's conn.log sees it.
type conn struct {
	us        int64 // start
	uid       string
	orig      uint32
	origPort  int
	resp      uint32
	respPort  int
	service   string // "" = unset
	durUS     int64
	origBytes int
	respBytes int
	state     string
	localOrig bool
	history   string
	origPkts  int
	respPkts  int
}

func tf(b []byte, v bool) []byte {
	if v {
		return append(b, 'T')
	}
	return append(b, 'F')
}

// appendID appends ts, uid and the connection's four-tuple (TSV).
func appendID(b []byte, c *conn, us int64) []byte {
	b = appendEpoch(b, us, 6)
	b = append(b, '\t')
	b = append(b, c.uid...)
	b = append(b, '\t')
	b = appendIP(b, c.orig)
	b = append(b, '\t')
	b = appendInt(b, c.origPort)
	b = append(b, '\t')
	b = appendIP(b, c.resp)
	b = append(b, '\t')
	return appendInt(b, c.respPort)
}

func writeConnTSV(o *out, c *conn) {
	b := appendID(o.buf[:0], c, c.us)
	b = append(b, "\ttcp\t"...)
	if c.service == "" {
		b = append(b, '-')
	} else {
		b = append(b, c.service...)
	}
	b = append(b, '\t')
	b = appendDuration(b, c.durUS)
	b = append(b, '\t')
	b = appendInt(b, c.origBytes)
	b = append(b, '\t')
	b = appendInt(b, c.respBytes)
	b = append(b, '\t')
	b = append(b, c.state...)
	b = append(b, '\t')
	b = tf(b, c.localOrig)
	b = append(b, "\tT\t0\t"...)
	b = append(b, c.history...)
	b = append(b, '\t')
	b = appendInt(b, c.origPkts)
	b = append(b, '\t')
	b = appendInt(b, c.origBytes+c.origPkts*52)
	b = append(b, '\t')
	b = appendInt(b, c.respPkts)
	b = append(b, '\t')
	b = appendInt(b, c.respBytes+c.respPkts*52)
	b = append(b, "\t-\n"...)
	o.buf = b
	o.write(b, true)
}

func writeConnJSON(o *out, c *conn) {
	b := append(o.buf[:0], `{"_path":"conn","_write_ts":"`...)
	b = o.clock.isoZ(b, c.us+c.durUS+5e6)
	b = append(b, `","ts":"`...)
	b = o.clock.isoZ(b, c.us)
	b = append(b, `","uid":"`...)
	b = append(b, c.uid...)
	b = append(b, `","id.orig_h":"`...)
	b = appendIP(b, c.orig)
	b = append(b, `","id.orig_p":`...)
	b = appendInt(b, c.origPort)
	b = append(b, `,"id.resp_h":"`...)
	b = appendIP(b, c.resp)
	b = append(b, `","id.resp_p":`...)
	b = appendInt(b, c.respPort)
	b = append(b, `,"proto":"tcp"`...)
	if c.service != "" {
		b = append(b, `,"service":"`...)
		b = append(b, c.service...)
		b = append(b, '"')
	}
	b = append(b, `,"duration":`...)
	b = appendDuration(b, c.durUS)
	b = append(b, `,"orig_bytes":`...)
	b = appendInt(b, c.origBytes)
	b = append(b, `,"resp_bytes":`...)
	b = appendInt(b, c.respBytes)
	b = append(b, `,"conn_state":"`...)
	b = append(b, c.state...)
	b = append(b, `","local_orig":`...)
	if c.localOrig {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	b = append(b, `,"local_resp":true,"missed_bytes":0,"history":"`...)
	b = append(b, c.history...)
	b = append(b, `","orig_pkts":`...)
	b = appendInt(b, c.origPkts)
	b = append(b, `,"resp_pkts":`...)
	b = appendInt(b, c.respPkts)
	b = append(b, "}\n"...)
	o.buf = b
	o.write(b, true)
}

// sshRec is one ssh.log record.
type sshRec struct {
	c        *conn
	success  string // "T", "F" or "-"
	attempts int
	client   string
	server   string
	hostKey  string
}

func writeSSHTSV(o *out, s *sshRec) {
	c := s.c
	b := appendID(o.buf[:0], c, c.us+20000)
	b = append(b, "\t2\t"...)
	b = append(b, s.success...)
	b = append(b, '\t')
	b = appendInt(b, s.attempts)
	if c.localOrig {
		b = append(b, "\tINTERNAL\t"...)
	} else {
		b = append(b, "\tINBOUND\t"...)
	}
	b = append(b, s.client...)
	b = append(b, '\t')
	b = append(b, s.server...)
	b = append(b, "\tchacha20-poly1305@openssh.com\tumac-64-etm@openssh.com\tnone\tsntrup761x25519-sha512@openssh.com\tssh-ed25519\t"...)
	b = append(b, s.hostKey...)
	b = append(b, '\n')
	o.buf = b
	o.write(b, true)
}

// notice is one notice.log record (TSV).
func writeNoticeTSV(o *out, us int64, note, msg, sub string, src, dst uint32) {
	b := appendEpoch(o.buf[:0], us, 6)
	b = append(b, "\t-\t-\t-\t-\t-\t-\t-\t-\t-\t"...)
	b = append(b, note...)
	b = append(b, '\t')
	b = append(b, msg...)
	b = append(b, '\t')
	b = append(b, sub...)
	b = append(b, '\t')
	b = appendIP(b, src)
	b = append(b, '\t')
	if dst == 0 {
		b = append(b, '-')
	} else {
		b = appendIP(b, dst)
	}
	b = append(b, "\t-\t-\t-\tNotice::ACTION_LOG\t(empty)\t3600.000000\n"...)
	o.buf = b
	o.write(b, true)
}
