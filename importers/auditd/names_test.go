package auditd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// Hand-made: a PAM session for deploy (auid 1001), then an ssh exec logged
// with the numeric auid only (no ENRICHED names). The exec names deploy.
const handmadeNames = `node=bastion01 type=USER_START msg=audit(1773456067.010:81201): pid=5672 uid=0 auid=1001 ses=31 subj=unconfined msg='op=PAM:session_open grantors=pam_unix acct="deploy" exe="/usr/sbin/sshd" hostname=198.51.100.23 addr=198.51.100.23 terminal=ssh res=success'
node=bastion01 type=SYSCALL msg=audit(1773457330.000:81202): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=8 items=2 ppid=5674 pid=5729 auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=pts1 ses=31 comm="ssh" exe="/usr/bin/ssh" subj=unconfined key="ssh_exec"
node=bastion01 type=EXECVE msg=audit(1773457330.000:81202): argc=2 a0="ssh" a1="postgres@10.0.2.20"
node=bastion01 type=EOE msg=audit(1773457330.000:81202): 
node=db02 type=SYSCALL msg=audit(1773457331.000:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=8 items=2 ppid=1 pid=2 auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=pts1 ses=4 comm="ssh" exe="/usr/bin/ssh" subj=unconfined key="ssh_exec"
node=db02 type=EXECVE msg=audit(1773457331.000:7): argc=2 a0="ssh" a1="root@10.0.3.30"
node=db02 type=EOE msg=audit(1773457331.000:7): 
`

func TestExecNamedFromPAMSession(t *testing.T) {
	src, err := importers.FromReader("audit.log", strings.NewReader(handmadeNames), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var procs []*schema.Event
	var st importers.Stats
	err = Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(ev *schema.Event) error {
		if ev.Action == schema.ActionProcess {
			procs = append(procs, ev)
		}
		return nil
	})
	if err != nil || len(procs) != 2 {
		t.Fatalf("%v: %d process events", err, len(procs))
	}
	if procs[0].User != "deploy" || procs[0].UID != "1001" {
		t.Errorf("bastion01 exec: user %q uid %q", procs[0].User, procs[0].UID)
	}
	// Another node's uid 1001 is another account: unnamed, the number in uid.
	if procs[1].User != "" || procs[1].UID != "1001" {
		t.Errorf("db02 exec: user %q uid %q", procs[1].User, procs[1].UID)
	}
}
