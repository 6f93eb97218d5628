package authlog

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
)

// TestFail2banOracle checks the source address (and user, time) of every
// line fail2ban's annotated test file marks as a match against its
// "# failJSON" expectation: the crafted usernames and auth-info injections in
// it must not move the source.
func TestFail2banOracle(t *testing.T) {
	f, err := os.Open("testdata/fail2ban-sshd.annotated")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type expect struct {
		Time  string `json:"time"`
		Match bool   `json:"match"`
		Host  string `json:"host"`
		User  string `json:"user"`
	}
	// The log lines, in order, so the importer sees each sshd process's
	// earlier lines (fail2ban, too, remembers a pid's address).
	sc := bufio.NewScanner(f)
	var pending *expect
	var log strings.Builder
	expects := map[int64]*expect{} // log line number -> expectation
	annotated := map[int64]int{}   // log line number -> annotated line number
	var logNo int64
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if j, ok := strings.CutPrefix(line, "# failJSON:"); ok {
			var e expect
			if err := json.Unmarshal([]byte(j), &e); err != nil {
				t.Fatalf("annotated:%d: %v", n, err)
			}
			pending = &e
			continue
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		logNo++
		log.WriteString(line + "\n")
		annotated[logNo] = n
		if pending != nil && pending.Match && pending.Host != "" {
			expects[logNo] = pending
		}
		pending = nil
	}
	// fail2ban assumes the year 2005 for RFC 3164 lines.
	evs, _ := run(t, "annotated", []byte(log.String()), importers.Options{Year: 2005})
	checked := 0
	var outcomes []string
	for _, ev := range evs {
		e := expects[ev.Line]
		if e == nil {
			continue
		}
		n := annotated[ev.Line]
		delete(expects, ev.Line)
		checked++
		if ev.SrcIP != e.Host {
			t.Errorf("annotated:%d: src %q, want %q (%s)", n, ev.SrcIP, e.Host, ev.Message)
		}
		if e.User != "" && ev.User != e.User {
			t.Errorf("annotated:%d: user %q, want %q", n, ev.User, e.User)
		}
		if e.Time != "" && ev.TSRaw != "" && (ev.TSRaw[0] < '0' || ev.TSRaw[0] > '9') {
			want, err := time.Parse("2006-01-02T15:04:05", e.Time)
			if err == nil && want.Year() == 2005 && !ev.TS.Equal(want) {
				t.Errorf("annotated:%d: time %s, want %s", n, ev.TS, want)
			}
		}
		if ev.Action == "other" {
			t.Errorf("annotated:%d: fail2ban matches it but it got action other: %s", n, ev.Message)
		}
		if ev.Outcome != "failure" {
			outcomes = append(outcomes, fmt.Sprintf("annotated:%d %s/%s: %s", n, ev.Action, ev.Outcome, ev.Message))
		}
	}
	for ln := range expects {
		t.Errorf("annotated:%d: marked as a match but no event", annotated[ln])
	}
	// Every matched line is a failure, except fail2ban's own policy cases
	// (gh-2070): an Accepted for a user after other users' failures from
	// the same address is counted by fail2ban, but the logon succeeded.
	policy := map[string]bool{
		"annotated:252 auth_success/success: Accepted password for known from 192.0.2.114 port 52100 ssh2": true,
		"annotated:262 auth_success/success: Accepted password for known from 192.0.2.116 port 52100 ssh2": true,
	}
	for _, o := range outcomes {
		if !policy[o] {
			t.Errorf("matched but not a failure: %s", o)
		}
	}
	t.Logf("%d matched lines: %d failures, %d policy cases", checked, checked-len(outcomes), len(outcomes))
	if checked < 100 {
		t.Errorf("checked %d lines, the file marks over 100 as matches", checked)
	}
}
