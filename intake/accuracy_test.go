package intake_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/importers"
	_ "github.com/sshtrail/sshtrail/importers/all"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/sessions"
)

// scannedHost writes the auth.log of an internet-facing host under
// constant scanning, the way Debian's OpenSSH 9 writes it: untagged closes
// after banner and key-exchange errors, pre-auth disconnects, resets,
// wrong-protocol probes — and, among them, the real logons and one
// password spray whose every attempt auditd recorded too (audit.log,
// USER_AUTH and USER_LOGIN res=failed per attempt, as sshd and pam_unix
// write them). The answer key is built alongside.
type answer struct {
	logons   []string // user@src of the real logons
	sprayed  int      // attempts of the spray
	accounts int      // distinct accounts it tried
}

func scannedHost(t *testing.T, dir string) answer {
	t.Helper()
	auth, err := os.Create(filepath.Join(dir, "auth.log"))
	if err != nil {
		t.Fatal(err)
	}
	audit, err := os.Create(filepath.Join(dir, "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	aw, dw := bufio.NewWriter(auth), bufio.NewWriter(audit)
	r := rand.New(rand.NewSource(15))
	ts := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	pid, serial := 20000, 1000
	line := func(format string, a ...any) {
		fmt.Fprintf(aw, "%s web01 sshd[%d]: %s\n", ts.Format(time.Stamp), pid, fmt.Sprintf(format, a...))
	}
	auditRec := func(typ, op, acct, addr string) {
		serial++
		fmt.Fprintf(dw, "node=web01 type=%s msg=audit(%d.%03d:%d): pid=%d uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=%s acct=\"%s\" exe=\"/usr/sbin/sshd\" hostname=%s addr=%s terminal=ssh res=failed'\n",
			typ, ts.Unix(), ts.Nanosecond()/1e6, serial, pid, op, acct, addr, addr)
	}
	var ans answer
	scanner := func() {
		pid++
		ts = ts.Add(time.Duration(1+r.Intn(20)) * time.Second)
		src := fmt.Sprintf("45.%d.%d.%d", r.Intn(250), r.Intn(250), 1+r.Intn(250))
		port := 30000 + r.Intn(30000)
		switch r.Intn(7) {
		case 0:
			line("kex_exchange_identification: Connection closed by remote host")
			line("Connection closed by %s port %d", src, port)
		case 1:
			line("banner exchange: Connection from %s port %d: invalid format", src, port)
		case 2:
			line("Connection reset by %s port %d", src, port)
		case 3:
			line("Connection closed by %s port %d [preauth]", src, port)
		case 4:
			line("Received disconnect from %s port %d:11: Bye Bye [preauth]", src, port)
			line("Disconnected from authenticating user root %s port %d [preauth]", src, port)
		case 5:
			line("kex_exchange_identification: read: Connection reset by peer")
			line("Connection reset by %s port %d", src, port)
		case 6:
			line("Received disconnect from %s port %d:11: Normal Shutdown, Thank you for playing [preauth]", src, port)
		}
	}
	logon := func(user, src string) {
		pid++
		ts = ts.Add(time.Duration(1+r.Intn(20)) * time.Second)
		port := 30000 + r.Intn(30000)
		line("Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k", user, src, port)
		line("pam_unix(sshd:session): session opened for user %s(uid=1000) by (uid=0)", user)
		ts = ts.Add(time.Duration(5+r.Intn(300)) * time.Second)
		line("Received disconnect from %s port %d:11: disconnected by user", src, port)
		line("Disconnected from user %s %s port %d", user, src, port)
		line("pam_unix(sshd:session): session closed for user %s", user)
		ans.logons = append(ans.logons, user+"@"+src)
	}
	sprayer := "198.51.100.7"
	accounts := []string{"admin", "oracle", "test", "postgres", "ubuntu", "git", "backup", "deploy", "jenkins", "www", "ftp", "guest"}
	spray := func(user string) {
		pid++
		ts = ts.Add(time.Duration(20+r.Intn(60)) * time.Second)
		port := 30000 + r.Intn(30000)
		// Each connection tries the account twice, as ssh clients do.
		for k := 0; k < 2; k++ {
			line("Failed password for %s from %s port %d ssh2", user, sprayer, port)
			auditRec("USER_AUTH", "PAM:authentication grantors=?", user, sprayer)
			auditRec("USER_LOGIN", "login", user, sprayer)
			ans.sprayed++
			ts = ts.Add(2 * time.Second)
		}
		line("Connection closed by authenticating user %s %s port %d [preauth]", user, sprayer, port)
	}
	for i := 0; i < 1500; i++ {
		scanner()
		switch i {
		case 200:
			logon("alice", "203.0.113.10")
		case 700:
			logon("deploy", "10.0.4.2")
		case 1400:
			logon("alice", "203.0.113.10")
		}
		if i >= 900 && i < 900+len(accounts) {
			spray(accounts[i-900])
		}
	}
	ans.accounts = len(accounts)
	if err := aw.Flush(); err != nil {
		t.Fatal(err)
	}
	dw.Flush()
	auth.Close()
	audit.Close()
	return ans
}

// The scanners' connections are never successful sessions, and one spray
// seen by auth.log and auditd counts each attempt once.
func TestScannedAuditedHost(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ans := scannedHost(t, dir)
	st, err := index.OpenOrCreate(filepath.Join(dir, "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := intake.Run(ctx, st, []string{dir}, intake.Options{Ingest: ingest.Options{Options: importers.Options{Year: 2026}}}); err != nil {
		t.Fatal(err)
	}
	all, err := sessions.List(ctx, st, sessions.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var ok []string
	for _, s := range all {
		if s.Outcome == schema.OutcomeSuccess {
			ok = append(ok, s.User+"@"+s.SrcIP)
		}
	}
	sort.Strings(ok)
	want := append([]string(nil), ans.logons...)
	sort.Strings(want)
	if strings.Join(ok, " ") != strings.Join(want, " ") {
		t.Fatalf("%d sessions; successful: %v, want exactly the logons %v", len(all), ok, want)
	}

	fs, err := detect.Run(ctx, st, detect.DefaultConfig(), nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var spray *detect.Finding
	for i, f := range fs {
		if f.Rule == "SSH_Password_Spraying" && f.SrcIP == "198.51.100.7" {
			spray = &fs[i]
		}
	}
	if spray == nil {
		t.Fatalf("no spraying finding for 198.51.100.7 in %d findings", len(fs))
	}
	wantText := fmt.Sprintf("tried %d distinct accounts", ans.accounts)
	wantCount := fmt.Sprintf("in %d failed logons", ans.sprayed)
	if !strings.Contains(spray.Summary, wantText) || !strings.Contains(spray.Summary, wantCount) {
		t.Fatalf("spray summary %q, want %q and %q", spray.Summary, wantText, wantCount)
	}
	if strings.Join(spray.Sources, ",") != "auditd,authlog" || !strings.Contains(spray.Summary, "Seen by auditd and authlog; each attempt counted once.") {
		t.Fatalf("spray sources %v, summary %q", spray.Sources, spray.Summary)
	}
}

// A Zeek-only case (RITA's ssh.log: 822 connections, 814 with the
// server's host key, one key 807 times) reports no "new key" for anyone:
// the server's host key is not a user's key (server_key_fp).
func TestZeekHostKeyIsNoUserKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := index.OpenOrCreate(filepath.Join(dir, "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sum, err := intake.Run(ctx, st, []string{"../importers/zeek/testdata/rita-ssh.2024-04-19-01.log.gz"}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Formats[schema.FormatZeekSSH] < 800 {
		t.Fatalf("imported %v", sum.Formats)
	}
	withServerKey, err := st.Count(ctx, index.Query{Q: "server_key_fp:*"})
	if err != nil {
		t.Fatal(err)
	}
	withUserKey, err := st.Count(ctx, index.Query{Q: "key_fp:*"})
	if err != nil {
		t.Fatal(err)
	}
	if withServerKey < 800 || withUserKey != 0 {
		t.Fatalf("server_key_fp on %d records, key_fp on %d (want ~814 and 0)", withServerKey, withUserKey)
	}
	fs, err := detect.Run(ctx, st, detect.DefaultConfig(), nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == "SSH_First_Seen_Key" || strings.Contains(f.Summary, "new key") {
			t.Errorf("a Zeek-only case reports a user key: %s %s", f.Rule, f.Summary)
		}
	}
}
