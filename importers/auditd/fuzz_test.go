package auditd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// FuzzRecord: the record parser and the whole importer never panic, and
// what they produce stays consistent with the input.
func FuzzRecord(f *testing.F) {
	f.Add("type=USER_AUTH msg=audit(1481077043.046:408): pid=1298 uid=0 auid=4294967295 ses=4294967295 msg='op=pubkey_auth rport=63927 acct=\"andrew_kroh\" exe=\"/usr/sbin/sshd\" hostname=? addr=96.241.146.97 terminal=? res=success'")
	f.Add("node=h type=EXECVE msg=audit(1.2:3): argc=2 a0=\"ssh\" a1_len=4 a1[0]=2D4C a1[1]=3132\x1dAUID=\"a\"")
	f.Add("type=X msg=audit(1.2:3): msg='op=a b c acct=\"'\"'")
	f.Add("type=USER_CMD msg=audit(1773457320.120:81190): pid=5701 uid=1001 auid=1001 ses=31 msg='cwd=\"/home/deploy\" cmd=73797374656D63746C2072657374617274206E67696E78 exe=\"/usr/bin/sudo\" terminal=pts/1 res=success'")
	f.Add("type=LOGIN msg=audit(1.2:3): pid=6100 uid=0 old-auid=4294967295 auid=1002 tty=(none) old-ses=4294967295 ses=40 res=1\x1dAUID=\"backup\"")
	f.Add("type=USER_AUTH msg=audit(1.1:4): pid=6100 uid=0 auid=4294967295 ses=4294967295 msg='op=key algo=ssh-rsa size=2048 fp=SHA256:d4:ce:11:ce:13:32:5a:e1:52:ff:ce:ae:3d:8f:dc:7b:6a:6b:87:f7:55:4c:75:bb:88:3d:91:86:9a:ae:39:90 rport=1 acct=\"a\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.2.2 terminal=? res=success'")
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseRecord(line)
		if err == nil {
			if r.Stamp == "" || !strings.Contains(line, "msg=audit("+r.Stamp+")") || r.TS.Location() != time.UTC {
				t.Fatalf("stamp %q from %q", r.Stamp, line)
			}
			for _, f := range append(append(r.Fields, r.Msg...), r.Enriched...) {
				_ = r.Get(f.Key)
			}
		}
		src, err := importers.FromReader("fuzz.log", strings.NewReader(line+"\n"+line), time.Time{})
		if err != nil {
			return
		}
		var st importers.Stats
		n := 0
		err = (Importer{}).Import(context.Background(), src, importers.Options{}, &st, func(ev *schema.Event) error {
			n++
			if ev.ID == "" || ev.Format != schema.FormatAuditd || ev.Line < 1 {
				t.Fatalf("bad event %+v", ev)
			}
			return nil
		})
		if err != nil || n != st.Events {
			t.Fatalf("err %v events %d stats %d", err, n, st.Events)
		}
	})
}

// FuzzExecveArgs: argv rebuilding and ssh option parsing never panic and
// never produce a forward list with an empty or blank-holding entry.
func FuzzExecveArgs(f *testing.F) {
	f.Add(`argc=5 a0="ssh" a1=2D4C a2="3389:10.0.0.5:3389" a3="-N" a4="alice@bastion"`)
	f.Add(`argc=3 a0="ssh" a1_len=31 a1[0]=2D6F4C6F63616C466F72 a1[1]=776172643D3830383020696E7472616E65743A3830 a2="h"`)
	f.Add(`argc=4 a0="sshpass" a1="-p" a2="x" a3="ssh"`)
	f.Add(`argc=9 a0="autossh" a1="-M" a2="0" a3="-fNL8080:h:80" a4="-o" a5="ProxyJump j" a6="--" a7="h" a8="-D1"`)
	f.Fuzz(func(t *testing.T, fields string) {
		r, err := ParseRecord("type=EXECVE msg=audit(1.2:3): " + fields)
		if err != nil {
			return
		}
		argv, _ := ExecveArgs([][]Field{r.Fields})
		if len(argv) > maxArgs {
			t.Fatalf("%d args", len(argv))
		}
		for _, prog := range []string{"", "ssh", "scp", "sftp", "sshpass", "autossh"} {
			a := argv
			if prog != "" && len(a) > 0 {
				a = append([]string{prog}, a[1:]...)
			}
			inv := ParseSSHArgs(a)
			for _, fw := range inv.Forwards {
				if len(fw) < 3 || strings.ContainsAny(fw, " \t\n") {
					t.Fatalf("forward %q from %q", fw, a)
				}
			}
		}
		_ = ProctitleArgs(Field{Key: "proctitle", Val: strings.ToUpper(fields)})
	})
}
