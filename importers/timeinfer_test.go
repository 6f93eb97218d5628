package importers

import (
	"testing"
	"time"
)

func TestParseRFC3164(t *testing.T) {
	cases := []struct {
		in   string
		want Stamp
		n    int
		ok   bool
	}{
		{"Mar  4 09:02:11 host", Stamp{Month: 3, Day: 4, Hour: 9, Min: 2, Sec: 11}, 15, true},
		{"Feb 7 16:01:07 linux", Stamp{Month: 2, Day: 7, Hour: 16, Min: 1, Sec: 7}, 14, true},
		{"Jul 05 18:22:44 mercury", Stamp{Month: 7, Day: 5, Hour: 18, Min: 22, Sec: 44}, 15, true},
		{"Dec 31 23:59:60.25 x", Stamp{Month: 12, Day: 31, Hour: 23, Min: 59, Sec: 60, Nsec: 250000000}, 18, true},
		{"D\xe9c 31 11:59:59 [sshd]", Stamp{Month: 12, Day: 31, Hour: 11, Min: 59, Sec: 59}, 15, true},
		{"Dez 31 11:59:59 [sshd]", Stamp{Month: 12, Day: 31, Hour: 11, Min: 59, Sec: 59}, 15, true},
		{"De  31 11:59:59 [sshd]", Stamp{Month: time.December, Day: 31, Hour: 11, Min: 59, Sec: 59}, 15, true}, // metalog's cut "Déc"
		{"Mar 32 09:02:11 host", Stamp{}, 0, false},
		{"Mar  4 24:02:11 host", Stamp{}, 0, false},
		{"Mar  4 09:02", Stamp{}, 0, false},
		{"", Stamp{}, 0, false},
	}
	for _, c := range cases {
		st, n, ok := ParseRFC3164(c.in)
		if st != c.want || n != c.n || ok != c.ok {
			t.Errorf("%q: %+v %d %v, want %+v %d %v", c.in, st, n, ok, c.want, c.n, c.ok)
		}
	}
}

func TestParseISO8601(t *testing.T) {
	ny := time.FixedZone("test", -5*3600)
	cases := []struct {
		in    string
		want  string
		n     int
		zoned bool
	}{
		{"2026-03-14T02:11:09.123456+00:00 h", "2026-03-14T02:11:09.123456Z", 32, true},
		{"2013-10-30T14:51:21.901728+01:00 srv", "2013-10-30T13:51:21.901728Z", 32, true},
		{"2019-06-14T13:01:15.412+01:30 l", "2019-06-14T11:31:15.412Z", 29, true},
		{"2019-06-14T10:40:20.912134 l", "2019-06-14T15:40:20.912134Z", 26, false},
		{"2020-03-23 06:47:42.801612-0700  l", "2020-03-23T13:47:42.801612Z", 31, true},
		{"2018-03-24T17:16:39Z x", "2018-03-24T17:16:39Z", 20, true},
	}
	for _, c := range cases {
		ts, n, zoned, ok := ParseISO8601(c.in, ny)
		if !ok || ts.UTC().Format(time.RFC3339Nano) != c.want || n != c.n || zoned != c.zoned {
			t.Errorf("%q: %s %d %v %v", c.in, ts.UTC().Format(time.RFC3339Nano), n, zoned, ok)
		}
	}
	for _, bad := range []string{"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-14X02:11:09", "2026-03-14T2:11:09"} {
		if _, _, _, ok := ParseISO8601(bad, time.UTC); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestYearInfer(t *testing.T) {
	mod := time.Date(2026, time.January, 2, 3, 0, 0, 0, time.UTC)
	cases := []struct {
		opts Options
		st   Stamp
		want string
	}{
		{Options{}, Stamp{Month: 12, Day: 31, Hour: 23}, "2025-12-31"},
		{Options{}, Stamp{Month: 1, Day: 2, Hour: 1}, "2026-01-02"},
		{Options{}, Stamp{Month: 1, Day: 3, Hour: 1}, "2026-01-03"}, // a day of slack for zones
		{Options{}, Stamp{Month: 1, Day: 5}, "2025-01-05"},
		{Options{}, Stamp{Month: 2, Day: 29}, "2024-02-29"}, // 2025 has none
		{Options{Year: 2021}, Stamp{Month: 2, Day: 29}, "2020-02-29"},
		{Options{Year: 2024}, Stamp{Month: 2, Day: 29}, "2024-02-29"},
		{Options{Year: 2024}, Stamp{Month: 12, Day: 31}, "2024-12-31"},
	}
	for _, c := range cases {
		y := NewYearInfer(c.opts, mod)
		ts, ok := y.Time(c.st)
		if !ok || ts.Format("2006-01-02") != c.want {
			t.Errorf("%+v %+v: %s %v, want %s", c.opts, c.st, ts, ok, c.want)
		}
	}
	y := NewYearInfer(Options{}, mod)
	if _, ok := y.Time(Stamp{Month: 4, Day: 31}); ok {
		t.Error("31 April accepted")
	}
	var st Stats
	y.Note(&st, "auth.log")
	if len(st.Assumed) != 0 {
		t.Errorf("noted without a date: %v", st.Assumed)
	}
	y.Time(Stamp{Month: 12, Day: 1})
	y.Time(Stamp{Month: 1, Day: 1})
	y.Note(&st, "auth.log")
	if len(st.Assumed) != 1 || st.Assumed[0] != "years 2025-2026 (from file time) for auth.log" {
		t.Errorf("assumed %v", st.Assumed)
	}
}
