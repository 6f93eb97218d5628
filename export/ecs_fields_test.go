package export

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sshtrail/sshtrail/schema"
)

// Every field of the table reaches the ECS export: under its ECS name, or
// under sshtrail.<name> when ECS has none.
func TestECSWritesEveryTableField(t *testing.T) {
	ev := schema.Event{ID: "i", TS: time.Date(2026, 3, 14, 2, 3, 4, 0, time.UTC), TSRaw: "Mar 14 02:03:04", Format: "authlog", File: "auth.log", Line: 7,
		Host: "web01", Action: schema.ActionAuthSuccess, Outcome: schema.OutcomeSuccess, User: "alice", UID: "1000", SrcIP: "203.0.113.9", SrcPort: 40022,
		DstIP: "10.0.0.5", DstPort: 22, DstHost: "db02", Method: "publickey", KeyType: "ED25519", KeyFP: "SHA256:x", PID: 4242, SID: "s1",
		Client: "SSH-2.0-OpenSSH_9.6", Server: "SSH-2.0-OpenSSH_9.2", HASSH: "h1", HASSHServer: "h2", Duration: 1.5, BytesOut: 44, BytesIn: 55,
		Command: "ls", Message: "Accepted publickey for alice", Program: "sshd", TTY: "ssh", Reason: "r", Ses: "3", Forward: "L:1:a:2",
		ConnState: "SF", Service: "ssh", Notice: "SSH::Login", ZeekUID: "C1", MessageRaw: "bXI="}
	// Fields added to the table later are filled too: every empty string.
	rv := reflect.ValueOf(&ev).Elem()
	for i := 0; i < rv.NumField(); i++ {
		if f := rv.Field(i); f.Kind() == reflect.String && f.String() == "" {
			f.SetString("v" + strconv.Itoa(i))
		}
	}
	var buf bytes.Buffer
	w, err := New(ECS, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Event(&ev); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v: %s", err, buf.Bytes())
	}
	for _, f := range schema.EventFields {
		path := f.ECS
		if path == "" {
			path = "sshtrail." + f.Name
		}
		var cur any = doc
		if path == "@timestamp" {
			cur = doc[path]
		} else {
			for _, k := range strings.Split(path, ".") {
				m, _ := cur.(map[string]any)
				cur = m[k]
			}
		}
		if cur == nil {
			t.Errorf("%s: nothing at %s in %s", f.Name, path, buf.Bytes())
		}
	}
}
