package gen

import (
	"strconv"
	"time"
)

// Lines are built by appending to reused byte slices: strconv and a cached
// date prefix instead of fmt/time formatting, which measured as the main
// cost of a million-line auth.log.

const hexDigits = "0123456789ABCDEF"

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// append2 writes n as two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// appendFrac writes n (0 <= n < 10^width) zero-padded to width digits.
func appendFrac(b []byte, n int64, width int) []byte {
	var d [9]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:width]...)
}

func appendIP(b []byte, ip uint32) []byte {
	b = appendInt(b, int(ip>>24))
	b = append(b, '.')
	b = appendInt(b, int(ip>>16&0xff))
	b = append(b, '.')
	b = appendInt(b, int(ip>>8&0xff))
	b = append(b, '.')
	return appendInt(b, int(ip&0xff))
}

func ipString(ip uint32) string { return string(appendIP(nil, ip)) }

func appendHex(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, hexDigits[s[i]>>4], hexDigits[s[i]&15])
	}
	return b
}

// appendJSONString writes s as a JSON string (quotes included).
func appendJSONString(b []byte, s []byte) []byte {
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// clock turns microseconds since the epoch into civil time, recomputing the
// date only when the day changes.
type clock struct {
	dayStart int64 // first second of the cached day
	date     time.Time
	stamp    []byte // "Mar  9 " for RFC 3164
	iso      []byte // "2026-03-09T"
}

func (c *clock) day(sec int64) {
	if c.stamp != nil && sec >= c.dayStart && sec < c.dayStart+86400 {
		return
	}
	c.dayStart = sec - ((sec%86400)+86400)%86400
	c.date = time.Unix(c.dayStart, 0).UTC()
	y, m, d := c.date.Date()
	c.stamp = append(c.stamp[:0], m.String()[:3]...)
	if d < 10 {
		c.stamp = append(c.stamp, ' ', ' ', byte('0'+d))
	} else {
		c.stamp = append(c.stamp, ' ')
		c.stamp = append2(c.stamp, d)
	}
	c.stamp = append(c.stamp, ' ')
	c.iso = appendInt(c.iso[:0], y)
	c.iso = append(c.iso, '-')
	c.iso = append2(c.iso, int(m))
	c.iso = append(c.iso, '-')
	c.iso = append2(c.iso, d)
}

func (c *clock) appendHMS(b []byte, sec int64, sep byte) []byte {
	s := int(sec - c.dayStart)
	b = append2(b, s/3600)
	b = append(b, sep)
	b = append2(b, s/60%60)
	b = append(b, sep)
	return append2(b, s%60)
}

// rfc3164 appends "Mar  9 00:17:01".
func (c *clock) rfc3164(b []byte, us int64) []byte {
	sec := floorDiv(us, 1e6)
	c.day(sec)
	b = append(b, c.stamp...)
	return c.appendHMS(b, sec, ':')
}

// dateTime appends the date, sep, the time of day, 6 decimals and zone:
// rsyslog's "2026-03-14T02:47:01.123456+00:00", `log show`'s
// "2026-03-02 13:01:52.000000+0000", Zeek JSON's "...T02:10:02.680000Z".
func (c *clock) dateTime(b []byte, us int64, sep byte, zone string) []byte {
	sec := floorDiv(us, 1e6)
	c.day(sec)
	b = append(b, c.iso...)
	b = append(b, sep)
	b = c.appendHMS(b, sec, ':')
	b = append(b, '.')
	b = appendFrac(b, us-sec*1e6, 6)
	return append(b, zone...)
}

func (c *clock) iso8601(b []byte, us int64) []byte { return c.dateTime(b, us, 'T', "+00:00") }
func (c *clock) unified(b []byte, us int64) []byte { return c.dateTime(b, us, ' ', "+0000") }
func (c *clock) isoZ(b []byte, us int64) []byte    { return c.dateTime(b, us, 'T', "Z") }

// zeekTime appends "1772442947.580000" (epoch seconds, 6 decimals).
func appendEpoch(b []byte, us int64, width int) []byte {
	sec := floorDiv(us, 1e6)
	b = strconv.AppendInt(b, sec, 10)
	b = append(b, '.')
	frac := us - sec*1e6
	if width == 3 {
		return appendFrac(b, frac/1000, 3)
	}
	return appendFrac(b, frac, 6)
}

// appendDuration writes d microseconds as seconds with 6 decimals.
func appendDuration(b []byte, us int64) []byte { return appendEpoch(b, us, 6) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
