package auditd

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name, line string
		typ, node  string
		stamp      string
		get        map[string]string
		enriched   map[string]string
		err        bool
	}{
		{name: "user word and hex acct (fail2ban)",
			line: `type=USER_LOGIN msg=audit(1373330717.000:4068): user pid=12000 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=28756E6B6E6F776E207573657229 exe="/usr/sbin/sshd" hostname=? addr=173.242.116.187 terminal=ssh res=failed'`,
			typ:  "USER_LOGIN", stamp: "1373330717.000:4068",
			get: map[string]string{"pid": "12000", "acct": "(unknown user)", "exe": "/usr/sbin/sshd", "addr": "173.242.116.187", "res": "failed", "hostname": "?"}},
		{name: "enriched trailer",
			line: "type=USER_AUTH msg=audit(1668381071.000:373474): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication acct=\"root\" exe=\"/usr/sbin/sshd\" res=failed'\x1dUID=\"root\" AUID=\"unset\"",
			typ:  "USER_AUTH", stamp: "1668381071.000:373474",
			get:      map[string]string{"op": "PAM:authentication", "res": "failed"},
			enriched: map[string]string{"UID": "root", "AUID": "unset"}},
		{name: "node prefix, hex exe, no colon",
			line: `node=h1 type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, auid=0 pid=1512 res=success`,
			typ:  "DAEMON_CONFIG", node: "h1", stamp: "1490239800.477:34",
			get: map[string]string{"auid": "0", "pid": "1512", "res": "success"}},
		{name: "op with a space, a quote inside msg",
			line: `type=USER_AUTH msg=audit(1.5:7): pid=3 msg='op=maxtries exceeded acct="o'brien" exe="/usr/sbin/sshd" res=failed'`,
			typ:  "USER_AUTH", stamp: "1.5:7",
			get: map[string]string{"op": "maxtries exceeded", "acct": "o'brien", "res": "failed"}},
		{name: "numbers are never hex-decoded; proctitle is",
			line: `type=PROCTITLE msg=audit(1451781471.394:194440): pid=12 proctitle=737368643A206275726E205B707269765D`,
			typ:  "PROCTITLE", stamp: "1451781471.394:194440",
			get: map[string]string{"pid": "12", "proctitle": "sshd: burn [priv]"}},
		{name: "unknown record", line: `type=UNKNOWN[1329] msg=?`, err: true},
		{name: "not audit", line: `Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user`, err: true},
		{name: "bad stamp", line: `type=X msg=audit(abc:1): a=b`, err: true},
		{name: "cut stamp", line: `type=X msg=audit(12.5:`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecord(tt.line)
			if (err != nil) != tt.err {
				t.Fatalf("err %v, want err %v", err, tt.err)
			}
			if tt.err {
				return
			}
			if r.Type != tt.typ || r.Node != tt.node || r.Stamp != tt.stamp {
				t.Errorf("type %q node %q stamp %q", r.Type, r.Node, r.Stamp)
			}
			for k, v := range tt.get {
				if got := r.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for k, v := range tt.enriched {
				if got := r.EnrichedVal(k); got != v {
					t.Errorf("enriched %s = %q, want %q", k, got, v)
				}
			}
		})
	}
	r, _ := ParseRecord(`type=X msg=audit(1364481363.243:24287): a=b`)
	if want := time.Date(2013, 3, 28, 14, 36, 3, 243e6, time.UTC); !r.TS.Equal(want) || r.Serial != 24287 {
		t.Errorf("ts %v serial %d", r.TS, r.Serial)
	}
}

func TestExecveArgs(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		argv     []string
		complete bool
	}{
		{"quoted", `type=EXECVE msg=audit(1.1:1): argc=3 a0="ssh" a1="-N" a2="h"`, []string{"ssh", "-N", "h"}, true},
		{"hex", `type=EXECVE msg=audit(1.1:1): argc=2 a0=737368 a1=2D4C`, []string{"ssh", "-L"}, true},
		{"split", `type=EXECVE msg=audit(1.1:1): argc=2 a0="ssh" a1_len=6 a1[0]=616263 a1[1]=646566`, []string{"ssh", "abcdef"}, true},
		{"missing arg", `type=EXECVE msg=audit(1.1:1): argc=3 a0="ssh" a2="h"`, []string{"ssh", "", "h"}, false},
		{"argc past what is there", `type=EXECVE msg=audit(1.1:1): argc=3 a0="ssh"`, []string{"ssh", "", ""}, false},
		{"hostile argc", `type=EXECVE msg=audit(1.1:1): argc=999999999 a0="ssh"`, []string{"ssh"}, true},
		{"interpreted", `type=EXECVE msg=audit(1.1:1): argc=1 a0=top`, []string{"top"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecord(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			argv, complete := ExecveArgs([][]Field{r.Fields})
			if !reflect.DeepEqual(argv, tt.argv) || complete != tt.complete {
				t.Errorf("argv %q complete %v, want %q %v", argv, complete, tt.argv, tt.complete)
			}
		})
	}
	// PROCTITLE: hex with NUL separators (real elastic-auditd-test.log line 7).
	r, _ := ParseRecord(`type=PROCTITLE msg=audit(1451781471.394:194440): proctitle=737368643A206275726E205B707269765D`)
	f, _ := lookup(r.Fields, "proctitle")
	if got := ProctitleArgs(f); !reflect.DeepEqual(got, []string{"sshd: burn [priv]"}) {
		t.Errorf("proctitle %q", got)
	}
	f = Field{Key: "proctitle", Val: "737368002D4400313038300068"}
	if got := ProctitleArgs(f); !reflect.DeepEqual(got, []string{"ssh", "-D", "1080", "h"}) {
		t.Errorf("proctitle %q", got)
	}
}

func TestParseSSHArgs(t *testing.T) {
	tests := []struct {
		argv            string
		host, user, fwd string
		port            int
	}{
		{"ssh -L 3389:10.0.0.5:3389 -N alice@bastion", "bastion", "alice", "L:3389:10.0.0.5:3389", 0},
		{"/usr/bin/ssh -fNL 8080:h:80 host", "host", "", "L:8080:h:80", 0},
		{"ssh -fNL8080:h:80 -p2222 host", "host", "", "L:8080:h:80", 2222},
		{"ssh -D 127.0.0.1:1080 -R 0:localhost:22 -J a@j1,j2 -l bob srv", "srv", "bob", "D:127.0.0.1:1080 R:0:localhost:22 J:a@j1,j2", 0},
		{"ssh -o LocalForward=1:h:2 -o RemoteForward=3:h:4 -o DynamicForward=5 -o ProxyJump=j -o Port=2200 -o User=u h", "h", "u", "L:1:h:2 R:3:h:4 D:5 J:j", 2200},
		{"ssh -o ProxyJump=none h", "h", "", "", 0},
		// Options after the destination are still options; the command ends them.
		{"ssh h -p 22 -L 1:x:2 ls -L /tmp", "h", "", "L:1:x:2", 22},
		{"ssh -- h -L 1:x:2", "h", "", "", 0},
		{"ssh ssh://u@h.example:2022", "h.example", "u", "", 2022},
		{"ssh -w any:any h", "h", "", "W:any:any", 0},
		{"scp -r -P 2200 local u@[2001:db8::1]:/x", "2001:db8::1", "u", "", 2200},
		{"scp a:/etc/passwd ./b", "a", "", "", 0},
		{"scp ./x:y u@host:/tmp/with@at:colon", "host", "u", "", 0},
		{"scp -D /usr/lib/sftp-server -l 100 f h:", "h", "", "", 0},
		{"sftp -D /usr/lib/sftp-server -P 2 u@h:/srv", "h", "u", "", 2},
		{"sshpass -e ssh -L 1:h:2 x", "x", "", "L:1:h:2", 0},
		{"sshpass -f /tmp/pw scp f y:", "y", "", "", 0},
		{"autossh -M 20000 -f -N -R 2222:localhost:22 v", "v", "", "R:2222:localhost:22", 0},
		{"bash -c ssh", "", "", "", 0},
	}
	for _, tt := range tests {
		inv := ParseSSHArgs(strings.Fields(tt.argv))
		if inv.Host != tt.host || inv.RemoteUser != tt.user || inv.Forward() != tt.fwd || inv.Port != tt.port {
			t.Errorf("%s: host %q user %q fwd %q port %d", tt.argv, inv.Host, inv.RemoteUser, inv.Forward(), inv.Port)
		}
	}
	// An argument cannot forge a second forward entry.
	inv := ParseSSHArgs([]string{"ssh", "-L", "1:h:2 D:9999", "h"})
	if inv.Forward() != "L:1:h:2:D:9999" {
		t.Errorf("forged: %q", inv.Forward())
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{"type=USER_AUTH msg=audit(1.2:3): pid=1", true},
		{"\nnode=h type=SYSCALL msg=audit(1.2:3): a=b", true},
		{"node=h type=SYSCALL msg=audit(1.2:3", true}, // head cut mid-line
		{"Dec 10 06:55:46 LabSZ sshd[1]: x", false},
		{"type=UNKNOWN[1329] msg=?", false},
		{`{"MESSAGE":"type=X msg=audit(1.2:3)"}`, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := (Importer{}).Sniff([]byte(tt.head)); got != tt.want {
			t.Errorf("Sniff(%q) = %v", tt.head, got)
		}
	}
}

// genLog writes at least n records in blocks of 9: one sshd USER_AUTH and
// two ssh execs (SYSCALL, EXECVE, PROCTITLE, EOE each). With interleave the
// records of the two execs alternate.
func genLog(n int, interleave bool) []byte {
	var b bytes.Buffer
	exec := func(i int) []string {
		s := fmt.Sprintf("%d.%03d:%d", 1700000000+i, i%1000, 1000+i)
		return []string{
			fmt.Sprintf("type=SYSCALL msg=audit(%s): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=%d auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=4 comm=\"ssh\" exe=\"/usr/bin/ssh\" key=(null)", s, 10000+i),
			fmt.Sprintf("type=EXECVE msg=audit(%s): argc=5 a0=\"ssh\" a1=\"-L\" a2=\"%d:10.0.0.5:3389\" a3=\"-N\" a4=\"user%d@bastion\"", s, 1024+i%60000, i),
			fmt.Sprintf("type=PROCTITLE msg=audit(%s): proctitle=737368002D4C00", s),
			fmt.Sprintf("type=EOE msg=audit(%s): ", s),
		}
	}
	for i, recs := 0, 0; recs < n; i, recs = i+2, recs+9 {
		fmt.Fprintf(&b, "type=USER_AUTH msg=audit(%d.500:%d): pid=%d uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=pam_unix acct=\"u%d\" exe=\"/usr/sbin/sshd\" hostname=10.9.%d.%d addr=10.9.%d.%d terminal=ssh res=failed'\n",
			1700000000+i, 900000+i, 20000+i, i, i/256%256, i%256, i/256%256, i%256)
		a, c := exec(i), exec(i+1)
		if interleave {
			for k := range a {
				b.WriteString(a[k] + "\n" + c[k] + "\n")
			}
		} else {
			b.WriteString(strings.Join(append(a, c...), "\n") + "\n")
		}
	}
	return b.Bytes()
}

func TestInterleavedAndStable(t *testing.T) {
	data := genLog(900, true)
	run := func() []*schema.Event {
		src, err := importers.FromReader("gen-host.log", bytes.NewReader(data), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var st importers.Stats
		var evs []*schema.Event
		if err := (Importer{}).Import(context.Background(), src, importers.Options{}, &st, func(ev *schema.Event) error {
			evs = append(evs, ev)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if st.Malformed != 0 || st.Ignored != 0 || len(st.Samples["incomplete"]) != 0 {
			t.Fatalf("stats %+v", st)
		}
		return evs
	}
	a, b := run(), run()
	c := countActions(a)
	// 100 blocks of 2 interleaved execs + 1 USER_AUTH each.
	if c["process"] != 200 || c["pam"] != 100 || len(a) != 300 {
		t.Fatalf("actions %v", c)
	}
	ids := map[string]bool{}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatalf("id of event %d changed between imports", i)
		}
		ids[a[i].ID] = true
		if a[i].Action == "process" && (!strings.HasPrefix(a[i].Command, "ssh -L ") || a[i].Forward == "" || a[i].Host != "gen-host") {
			t.Fatalf("event %d: %+v", i, a[i])
		}
	}
	if len(ids) != len(a) {
		t.Errorf("%d distinct ids for %d events", len(ids), len(a))
	}
}

// A group whose records are further apart than Window is flushed early: the
// late record starts a second, incomplete group.
func TestWindowBound(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("type=SYSCALL msg=audit(5.000:1): arch=c000003e syscall=59 success=yes pid=7 auid=1 ses=1 exe=\"/usr/bin/ssh\"\n")
	for i := 0; i < Window+1; i++ {
		fmt.Fprintf(&b, "type=CONFIG_CHANGE msg=audit(6.000:%d): op=x res=1\n", 100+i)
	}
	b.WriteString("type=EXECVE msg=audit(5.000:1): argc=2 a0=\"ssh\" a1=\"h\"\n")
	src, _ := importers.FromReader("w.log", &b, time.Time{})
	var st importers.Stats
	var evs []*schema.Event
	_ = (Importer{}).Import(context.Background(), src, importers.Options{Host: "h"}, &st, func(ev *schema.Event) error {
		evs = append(evs, ev)
		return nil
	})
	if len(evs) != 2 || evs[0].PID != 7 || evs[0].Command != "" || evs[1].Command != "ssh h" || !strings.HasPrefix(st.Samples["incomplete"][0], "w.log:1 2 audit event(s)") {
		t.Fatalf("events %+v samples %v", evs, st.Samples)
	}
	if st.Ignored != Window+1 {
		t.Errorf("ignored %d", st.Ignored)
	}
}
