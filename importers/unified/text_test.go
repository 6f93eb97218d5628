package unified

import "testing"

// handmade lines for the text-style parser, with the edge cases the files
// do not hold.
func TestParseTextLine(t *testing.T) {
	cases := []struct {
		in   string
		kind lineKind
		want textRecord // TS is checked through TSRaw
	}{
		{"2026-03-14 03:40:12.123456+0000 0x1a2b     Default     0x0                  1234   0    sshd: Accepted x", kindRecord,
			textRecord{Style: styleDefault, TSRaw: "2026-03-14 03:40:12.123456+0000", Zoned: true, Program: "sshd", PID: 1234, Message: "Accepted x"}},
		{"2026-03-14 03:40:12.123456+0000 0x1a2b     Error       0x5e8b0              1234   14   sshd-session: (libpam.2.dylib) [com.openssh:auth] m", kindRecord,
			textRecord{Style: styleDefault, TSRaw: "2026-03-14 03:40:12.123456+0000", Zoned: true, Program: "sshd-session", PID: 1234, Message: "m"}},
		{"2026-03-14 03:40:12.123 Df sshd[1234:5678] Accepted x", kindRecord,
			textRecord{Style: styleCompact, TSRaw: "2026-03-14 03:40:12.123", Program: "sshd", PID: 1234, Message: "Accepted x"}},
		{"2026-03-14 03:40:12.123 E  sshd-session[9:1a] ", kindRecord,
			textRecord{Style: styleCompact, TSRaw: "2026-03-14 03:40:12.123", Program: "sshd-session", PID: 9, Message: ""}},
		{"2020-03-23 06:47:42.801612-0700  localhost sshd[3186]: error: x [preauth]", kindRecord,
			textRecord{Style: styleSyslog, TSRaw: "2020-03-23 06:47:42.801612-0700", Zoned: true, Host: "localhost", Program: "sshd", PID: 3186, Message: "error: x [preauth]"}},
		// The message may hold brackets and colons: only the header is parsed.
		{"2020-03-23 06:47:42.801612-0700  localhost sshd[1]: Invalid user a]: b[2]: from 1.2.3.4", kindRecord,
			textRecord{Style: styleSyslog, TSRaw: "2020-03-23 06:47:42.801612-0700", Zoned: true, Host: "localhost", Program: "sshd", PID: 1, Message: "Invalid user a]: b[2]: from 1.2.3.4"}},
		// A leading "(x y)" with a blank inside is message text, not a sender image.
		{"2020-03-23 06:47:42-0700  localhost sshd[1]: (not a lib) [nocolon] m", kindRecord,
			textRecord{Style: styleSyslog, TSRaw: "2020-03-23 06:47:42-0700", Zoned: true, Host: "localhost", Program: "sshd", PID: 1, Message: "(not a lib) [nocolon] m"}},
		{"Filtering the log data using \"process == \\\"sshd\\\"\"", kindHeader, textRecord{}},
		{"Skipping info and debug messages, pass --info and/or --debug to include.", kindHeader, textRecord{}},
		{"Timestamp                       Thread     Type        Activity             PID    TTL  ", kindHeader, textRecord{}},
		{"Timestamp               Ty Process[PID:TID]", kindHeader, textRecord{}},
		{"--------------------------------------------------------------------------------", kindHeader, textRecord{}},
		{"Log      - Default:          9, Info:                0, Debug:             0, Error:          1, Fault:          0", kindHeader, textRecord{}},
		{"Activity - Create:           0, Transition:          0, Actions:           0", kindHeader, textRecord{}},
		{"", kindHeader, textRecord{}},
		{"  second line of a message", kindOther, textRecord{}},
		{"2026-03-14T03:40:12.123456+00:00 host sshd[1]: x", kindOther, textRecord{}},                // rsyslog ISO, not log show
		{"2026-03-14 03:40:12.123456+0000 0x1a2b Default 0x0 -5 0 sshd: x", kindOther, textRecord{}}, // signed pid
		{"2026-03-14 03:40:12.123456+0000 0x1a2b Default 0x0 5 0 sshd x", kindOther, textRecord{}},   // no "process:"
		{"2026-03-14 03:40:12.123456+0000  localhost sshd[1] x", kindOther, textRecord{}},            // no "]:"
		{"2026-03-14 03:40:12.123456+0000  localhost [1]: x", kindOther, textRecord{}},               // no program
		{"2026-03-14 03:40:12.123 Df sshd[x:1] m", kindOther, textRecord{}},                          // pid not a number
		{"2026-02-30 03:40:12.123 Df sshd[1:1] m", kindOther, textRecord{}},                          // no such day
		{"2026-03-14 03:40:12.123+0000", kindOther, textRecord{}},
	}
	for _, c := range cases {
		got, kind := parseTextLine([]byte(c.in))
		got.TS = got.TS.UTC()
		if kind != c.kind {
			t.Errorf("%q: kind %d, want %d", c.in, kind, c.kind)
			continue
		}
		got.TS = c.want.TS
		if got != c.want {
			t.Errorf("%q:\n got %+v\nwant %+v", c.in, got, c.want)
		}
	}
}
