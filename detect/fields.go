package detect

import (
	"sort"
	"strconv"

	"github.com/sshtrail/sshtrail/schema"
)

var groupable = map[string]bool{}

func init() {
	for _, f := range []string{"id", "format", "file", "host", "action", "outcome", "user", "uid", "src_ip", "src_port",
		"dst_ip", "dst_port", "dst_host", "method", "key_type", "key_fp", "pid", "sid", "client", "server", "hassh",
		"hassh_server", "command", "program", "tty", "ses", "forward", "service", "notice", "zeek_uid"} {
		groupable[f] = true
	}
}

func groupableList() []string {
	out := make([]string, 0, len(groupable))
	for f := range groupable {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// fieldValue is the value of an event field by its JSON name.
func fieldValue(ev *schema.Event, f string) string {
	itoa := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	switch f {
	case "id":
		return ev.ID
	case "format":
		return ev.Format
	case "file":
		return ev.File
	case "host":
		return ev.Host
	case "action":
		return ev.Action
	case "outcome":
		return ev.Outcome
	case "user":
		return ev.User
	case "uid":
		return ev.UID
	case "src_ip":
		return ev.SrcIP
	case "src_port":
		return itoa(ev.SrcPort)
	case "dst_ip":
		return ev.DstIP
	case "dst_port":
		return itoa(ev.DstPort)
	case "dst_host":
		return ev.DstHost
	case "method":
		return ev.Method
	case "key_type":
		return ev.KeyType
	case "key_fp":
		return ev.KeyFP
	case "pid":
		return itoa(ev.PID)
	case "sid":
		return ev.SID
	case "client":
		return ev.Client
	case "server":
		return ev.Server
	case "hassh":
		return ev.HASSH
	case "hassh_server":
		return ev.HASSHServer
	case "command":
		return ev.Command
	case "program":
		return ev.Program
	case "tty":
		return ev.TTY
	case "ses":
		return ev.Ses
	case "forward":
		return ev.Forward
	case "service":
		return ev.Service
	case "notice":
		return ev.Notice
	case "zeek_uid":
		return ev.ZeekUID
	}
	return ""
}
