package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The table and the struct cannot drift apart: every JSON field of Event
// has exactly one row, in the same order, and each row's Value reads that
// field (set every field to a distinct value and compare with the JSON).
func TestFieldTableCoversEvent(t *testing.T) {
	rt := reflect.TypeOf(Event{})
	var names []string
	for i := 0; i < rt.NumField(); i++ {
		names = append(names, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
	}
	var rows []string
	for _, f := range EventFields {
		rows = append(rows, f.Name)
	}
	if !reflect.DeepEqual(names, rows) {
		t.Fatalf("field table out of step with Event:\nstruct %v\ntable  %v", names, rows)
	}
	ev := Event{ID: "i", TS: time.Date(2026, 3, 14, 2, 3, 4, 5000, time.UTC), TSRaw: "tr", Format: "fo", File: "fi", Line: 7, Host: "ho",
		Action: "ac", Outcome: "ou", User: "us", UID: "ui", SrcIP: "1.2.3.4", SrcPort: 11, DstIP: "5.6.7.8", DstPort: 22, DstHost: "dh",
		Method: "me", KeyType: "kt", KeyFP: "kf", PID: 33, SID: "si", Client: "cl", Server: "se", HASSH: "ha", HASSHServer: "hs",
		Duration: 1.5, BytesOut: 44, BytesIn: 55, Command: "co", Message: "ms", Program: "pr", TTY: "tt", Reason: "re", Ses: "ss",
		Forward: "fw", ConnState: "cs", Service: "sv", Notice: "no", ZeekUID: "zu", MessageRaw: "mr",
		ServerKeyFP: "sk", Direction: "di"}
	js, _ := json.Marshal(ev)
	var m map[string]any
	json.Unmarshal(js, &m)
	for _, f := range EventFields {
		want := m[f.Name]
		got := f.Value(&ev)
		switch w := want.(type) {
		case string:
			if f.Name == "ts" {
				w = ev.TS.UTC().Format(time.RFC3339Nano)
			}
			if got != w {
				t.Errorf("%s: Value %q, JSON %q", f.Name, got, w)
			}
		case float64:
			if f.Num != nil && f.Num(&ev) != w {
				t.Errorf("%s: Num %v, JSON %v", f.Name, f.Num(&ev), w)
			}
			if got == "" {
				t.Errorf("%s: Value empty for %v", f.Name, w)
			}
		default:
			t.Errorf("%s: JSON has %T", f.Name, want)
		}
		if (f.Kind == Number) != (f.Num != nil) || (f.Kind == Number) != (f.Width > 0) {
			t.Errorf("%s: a Number field needs Num and Width, others neither", f.Name)
		}
		if f.Meaning == "" {
			t.Errorf("%s: no meaning", f.Name)
		}
	}
	if f, ok := EventField("src_ip"); !ok || f.Kind != Address {
		t.Fatal("EventField(src_ip)")
	}
}
