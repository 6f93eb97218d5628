package importers

import (
	"strconv"
	"sync"
	"time"
)

// Timestamps without a year (RFC 3164 "Mar  4 09:02:11") or without a zone
// (rsyslog ISO 8601 "2019-06-14T10:40:20.912134") are completed here, the
// same way for every importer, and what was assumed is written to Stats.

// Month reads a month abbreviation: English ("Jan".."Dec") and the few
// localized ones seen in real logs ("Dez", "Okt", "Mai", "Mär"/"M\xe4r",
// "Déc"/"D\xe9c"). 0 when unknown. s is the text at the start of the line;
// it returns the month and the bytes used.
func Month(s string) (time.Month, int) {
	if len(s) < 3 {
		return 0, 0
	}
	switch s[:3] {
	case "Jan":
		return time.January, 3
	case "Feb":
		return time.February, 3
	case "Mar":
		return time.March, 3
	case "Apr":
		return time.April, 3
	case "May", "Mai":
		return time.May, 3
	case "Jun":
		return time.June, 3
	case "Jul":
		return time.July, 3
	case "Aug":
		return time.August, 3
	case "Sep":
		return time.September, 3
	case "Oct", "Okt":
		return time.October, 3
	case "Nov":
		return time.November, 3
	case "Dec", "Dez":
		return time.December, 3
	case "M\xe4r":
		return time.March, 3
	case "D\xe9c":
		return time.December, 3
	case "De ":
		// A French "déc" cut to two letters by metalog (fail2ban's
		// locale test case, lines 10-12): only December starts "De".
		return time.December, 2
	}
	if len(s) >= 4 {
		switch s[:4] {
		case "Mär":
			return time.March, 4
		case "Déc":
			return time.December, 4
		}
	}
	return 0, 0
}

// Stamp is a parsed RFC 3164 timestamp, year unknown.
type Stamp struct {
	Month               time.Month
	Day, Hour, Min, Sec int
	Nsec                int
}

// ParseRFC3164 reads "Mmm dd hh:mm:ss" (day padded with a space, a zero, or
// not at all; optional fraction) at the start of s. n is the bytes used.
func ParseRFC3164(s string) (st Stamp, n int, ok bool) {
	m, i := Month(s)
	if m == 0 || i >= len(s) || s[i] != ' ' {
		return st, 0, false
	}
	i++
	if i < len(s) && s[i] == ' ' {
		i++
	}
	d, k := digits(s[i:], 2)
	if k == 0 || d < 1 || d > 31 {
		return st, 0, false
	}
	i += k
	if i >= len(s) || s[i] != ' ' {
		return st, 0, false
	}
	i++
	h, mi, sec, k, ok := clock(s[i:])
	if !ok {
		return st, 0, false
	}
	i += k
	ns, k := fraction(s[i:])
	i += k
	return Stamp{Month: m, Day: d, Hour: h, Min: mi, Sec: sec, Nsec: ns}, i, true
}

// clock reads "hh:mm:ss".
func clock(s string) (h, m, sec, n int, ok bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return 0, 0, 0, 0, false
	}
	h, a := digits(s[0:2], 2)
	m, b := digits(s[3:5], 2)
	sec, c := digits(s[6:8], 2)
	if a != 2 || b != 2 || c != 2 || h > 23 || m > 59 || sec > 60 {
		return 0, 0, 0, 0, false
	}
	return h, m, sec, 8, true
}

// fraction reads ".123456" (any number of digits; nanoseconds kept).
func fraction(s string) (ns, n int) {
	if len(s) < 2 || (s[0] != '.' && s[0] != ',') || s[1] < '0' || s[1] > '9' {
		return 0, 0
	}
	n = 1
	scale := 100000000
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		ns += int(s[n]-'0') * scale
		scale /= 10
		n++
	}
	return ns, n
}

// digits reads up to max decimal digits.
func digits(s string, max int) (v, n int) {
	for n < len(s) && n < max && s[n] >= '0' && s[n] <= '9' {
		v = v*10 + int(s[n]-'0')
		n++
	}
	return v, n
}

// ParseISO8601 reads "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|±hh:mm|±hhmm|±hh]" at
// the start of s. Without a zone the time is read in loc and zoned is false.
func ParseISO8601(s string, loc *time.Location) (t time.Time, n int, zoned bool, ok bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') {
		return t, 0, false, false
	}
	y, a := digits(s[0:4], 4)
	mo, b := digits(s[5:7], 2)
	d, c := digits(s[8:10], 2)
	if a != 4 || b != 2 || c != 2 || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return t, 0, false, false
	}
	h, mi, sec, k, ok := clock(s[11:])
	if !ok {
		return t, 0, false, false
	}
	n = 11 + k
	ns, k := fraction(s[n:])
	n += k
	zone := loc
	if n < len(s) {
		switch s[n] {
		case 'Z':
			zone, zoned = time.UTC, true
			n++
		case '+', '-':
			oh, k1 := digits(s[n+1:], 2)
			if k1 == 2 {
				j := n + 3
				om := 0
				if j < len(s) && s[j] == ':' {
					j++
				}
				if v, k2 := digits(s[j:], 2); k2 == 2 {
					om = v
					j += 2
				} else if s[j-1] == ':' {
					j-- // "+01:" is not an offset; keep hours only
				}
				if oh <= 14 && om < 60 {
					off := (oh*60 + om) * 60
					if s[n] == '-' {
						off = -off
					}
					zone, zoned = fixedZone(off), true
					n = j
				}
			}
		}
	}
	if sec == 60 {
		sec = 59 // leap second: keep the line, lose the second
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, zone), n, zoned, true
}

var zoneCache sync.Map // offset seconds -> *time.Location

// fixedZone shares one Location per offset (a log has one or two), safely
// across importers running in parallel. Offsets are bounded (±14h in
// minutes), so the cache is too.
func fixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if z, ok := zoneCache.Load(off); ok {
		return z.(*time.Location)
	}
	z, _ := zoneCache.LoadOrStore(off, time.FixedZone("", off))
	return z.(*time.Location)
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if leap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// YearInfer gives RFC 3164 timestamps a year. A line cannot be written after
// its file was last modified, so a date later than the reference time (plus a
// day of slack for zones) belongs to the year before: a file written from
// December into January, modified in January, puts its December lines in the
// previous year. This holds whatever the order of the lines. 29 February in
// a year that has none goes back to the nearest leap year.
type YearInfer struct {
	fixed int
	ref   time.Time
	loc   *time.Location
	from  string
	minY  int
	maxY  int
	used  bool
}

// NewYearInfer uses opts.Year when set, else mod (the gzip header time or
// the file's mtime), else the current time (stdin).
func NewYearInfer(opts Options, mod time.Time) *YearInfer {
	y := &YearInfer{fixed: opts.Year, loc: opts.Loc()}
	switch {
	case opts.Year != 0:
		y.from = "from --year"
	case !mod.IsZero():
		y.ref, y.from = mod.In(y.loc), "from file time"
	default:
		y.ref, y.from = time.Now().In(y.loc), "from current date"
	}
	return y
}

// Time returns the full time of st, or false if the date does not exist.
func (y *YearInfer) Time(st Stamp) (time.Time, bool) {
	if st.Day > daysIn(st.Month, 2000) { // 2000 is leap: allows 29 Feb
		return time.Time{}, false
	}
	year := y.fixed
	if year == 0 {
		year = y.ref.Year()
		if st.Month > y.ref.Month() || (st.Month == y.ref.Month() && st.Day > y.ref.Day()+1) {
			year--
		}
	}
	if st.Month == time.February && st.Day == 29 {
		for !leap(year) {
			year--
		}
	}
	sec := st.Sec
	if sec == 60 {
		sec = 59
	}
	if !y.used || year < y.minY {
		y.minY = year
	}
	if !y.used || year > y.maxY {
		y.maxY = year
	}
	y.used = true
	return time.Date(year, st.Month, st.Day, st.Hour, st.Min, sec, st.Nsec, y.loc), true
}

// Note records the years assumed for file (if any RFC 3164 line was read).
func (y *YearInfer) Note(stats *Stats, file string) {
	if !y.used {
		return
	}
	years := strconv.Itoa(y.minY)
	word := "year "
	if y.maxY != y.minY {
		word = "years "
		years += "-" + strconv.Itoa(y.maxY)
	}
	stats.Assume(word + years + " (" + y.from + ") for " + file)
}

// NoteZone records that zone-less times were read in loc.
func NoteZone(stats *Stats, loc *time.Location) {
	stats.Assume("zone " + loc.String())
}
