package authlog

import (
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// Hand-made lines for framing the real files do not show in every variant.

func TestHandmadeYearRollover(t *testing.T) {
	// Written from December into January; the file was modified in January.
	input := "Dec 31 23:59:58 h sshd[1]: Invalid user a from 192.0.2.1 port 1\n" +
		"Jan  1 00:00:02 h sshd[2]: Invalid user b from 192.0.2.2 port 2\n" +
		"Feb 29 10:00:00 h sshd[3]: Invalid user c from 192.0.2.3 port 3\n"
	src, _ := importers.FromReader("auth.log", strings.NewReader(input), time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC))
	var got []string
	var st importers.Stats
	err := Importer{}.Import(t.Context(), src, importers.Options{}, &st, func(ev *schema.Event) error {
		got = append(got, ev.TS.Format(time.RFC3339))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Feb 29 is after the file time: 2025, which has none -> 2024.
	want := "2025-12-31T23:59:58Z 2026-01-01T00:00:02Z 2024-02-29T10:00:00Z"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if strings.Join(st.Assumed, "|") != "years 2024-2026 (from file time) for auth.log|zone UTC" {
		t.Errorf("assumed %q", st.Assumed)
	}
	// --year wins, and 29 February in a year without one goes back to a leap year.
	evs, st := run(t, "auth.log", []byte(input), importers.Options{Year: 2023})
	if evs[0].TS.Year() != 2023 || evs[2].TS.Format("2006-01-02") != "2020-02-29" {
		t.Errorf("--year: %s %s", evs[0].TS, evs[2].TS)
	}
	if st.Assumed[0] != "years 2020-2023 (from --year) for auth.log" {
		t.Errorf("assumed %q", st.Assumed)
	}
}

func TestHandmadeZones(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	input := "2026-03-14T02:11:09.123456 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2\n" +
		"2026-03-14T02:11:09.5+01:30 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2\n" +
		"Mar 14 02:11:09 h sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2\n" +
		"<38>1 2026-03-14T02:11:09Z h sshd 1 - [x@1 a=\"]\\\"[\"][y@2] Accepted password for b from 192.0.2.9 port 9 ssh2\n" +
		"2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: Accepted password for c from 192.0.2.8 port 8 ssh2\n"
	evs, st := run(t, "z.log", []byte(input), importers.Options{Location: ny})
	// New York is on EDT (UTC-4) from 8 March 2026.
	want := []string{"2026-03-14T06:11:09.123456Z", "2026-03-14T00:41:09.5Z", "2026-03-14T06:11:09Z", "2026-03-14T02:11:09Z", "2020-03-23T13:47:42.801612Z"}
	if len(evs) != len(want) {
		t.Fatalf("%d events", len(evs))
	}
	for i, w := range want {
		if got := evs[i].TS.Format(time.RFC3339Nano); got != w {
			t.Errorf("line %d: %s, want %s (raw %q)", i+1, got, w, evs[i].TSRaw)
		}
	}
	if evs[3].User != "b" || evs[3].SrcIP != "192.0.2.9" || evs[3].Host != "h" || evs[3].PID != 1 {
		t.Errorf("rfc5424: %+v", evs[3])
	}
	if evs[4].Host != "localhost" || evs[4].User != "c" {
		t.Errorf("macOS style: %+v", evs[4])
	}
	if st.Assumed[len(st.Assumed)-1] != "zone America/New_York" {
		t.Errorf("assumed %v", st.Assumed)
	}
}

func TestHandmadeRepeats(t *testing.T) {
	input := "Mar  1 10:00:00 h sshd[7]: Failed password for root from 192.0.2.1 port 22 ssh2\n" +
		"Mar  1 10:00:09 h sshd[7]: message repeated 3 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]\n" +
		"Mar  1 10:00:10 h sshd[7]: Connection closed by 192.0.2.1 port 22\n" +
		"Mar  1 10:00:11 h last message repeated 2 times\n" +
		"Mar  1 10:00:12 h CRON[9]: pam_unix(cron:session): session opened for user root by (uid=0)\n" +
		"Mar  1 10:00:13 h last message repeated 4 times\n"
	evs, st := run(t, "r.log", []byte(input), importers.Options{})
	var acts []string
	ids := map[string]bool{}
	for _, e := range evs {
		acts = append(acts, e.Action)
		ids[e.ID] = true
	}
	want := "auth_failure auth_failure auth_failure auth_failure disconnect disconnect disconnect"
	if strings.Join(acts, " ") != want {
		t.Errorf("got %v", acts)
	}
	if len(ids) != 7 {
		t.Errorf("%d distinct ids for 7 events", len(ids))
	}
	if evs[1].Reason != "message repeated 3 times" || evs[1].Line != 2 || evs[6].Line != 4 {
		t.Errorf("repeat: %q line %d, %d", evs[1].Reason, evs[1].Line, evs[6].Line)
	}
	// The CRON line and its repeat line are ignored.
	if st.Ignored != 2 || st.Malformed != 0 {
		t.Errorf("ignored %d malformed %d", st.Ignored, st.Malformed)
	}
}
