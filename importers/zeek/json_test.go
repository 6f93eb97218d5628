package zeek

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// refJSON reads a line the slow, obviously right way (encoding/json into a
// map, then flattened) with the scanner's rules for what a field holds.
func refJSON(line []byte) (map[string]string, bool) {
	if !json.Valid(line) || bytes.TrimLeft(line, " \t\r\n")[0] != '{' {
		return nil, false
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, false
	}
	out := map[string]string{}
	var flatten func(prefix string, m map[string]any)
	flatten = func(prefix string, m map[string]any) {
		for k, v := range m {
			switch t := v.(type) {
			case map[string]any:
				flatten(prefix+k+".", t)
			case nil:
			default:
				if s, ok := scalar(t); ok {
					out[prefix+k] = s
					continue
				}
				var parts []string
				for _, x := range t.([]any) {
					if s, ok := scalar(x); ok {
						parts = append(parts, s)
					}
				}
				out[prefix+k] = strings.Join(parts, ",")
			}
		}
	}
	flatten("", m)
	return out, true
}

func scalar(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return string(t), true
	case bool:
		if t {
			return "T", true
		}
		return "F", true
	}
	return "", false
}

// dupKeys reports whether an object in line repeats a key: encoding/json's
// map then keeps only the last object whole, where the scanner merges.
func dupKeys(line []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(line))
	var walk func() bool
	walk = func() bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return false
				}
				if seen[k.(string)] {
					return true
				}
				seen[k.(string)] = true
				if walk() {
					return true
				}
			}
			dec.Token()
		case json.Delim('['):
			for dec.More() {
				if walk() {
					return true
				}
			}
			dec.Token()
		}
		return false
	}
	return walk()
}

func checkAgainstRef(t *testing.T, line []byte) {
	var r rec
	err := parseJSON(string(line), &r)
	want, ok := refJSON(line)
	if ok != (err == nil) {
		t.Fatalf("%q: scanner err %v, encoding/json valid %v", line, err, ok)
	}
	if !ok || !utf8.Valid(line) || dupKeys(line) {
		// encoding/json turns invalid UTF-8 into U+FFFD; the scanner keeps it.
		return
	}
	for f := fid(0); f < nFields; f++ {
		w, wset := want[fieldNames[f]]
		if g, gset := r.get(f); g != w || gset != wset {
			t.Fatalf("%q: %s = %q (set %v), encoding/json %q (set %v)", line, fieldNames[f], g, gset, w, wset)
		}
	}
}

func TestJSONScanner(t *testing.T) {
	handmade := []string{
		`{"ts":1773457500.25,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":22}`,
		` { "id" : { "orig_h" : "fe80::1" , "resp_p" : 0 } , "service" : null } `,
		`{"client":"SSH-2.0-\u00e9\t\"x\"\\\/","server":"\ud83d\ude00 \ud83d x \udc00\u0041"}`,
		`{"actions":["Notice::ACTION_LOG","Notice::ACTION_EMAIL"],"note":[],"msg":[1,true,null,{"a":1},[2],"s"]}`,
		`{"auth_success":false,"auth_attempts":-0.5e+3,"duration":0,"orig_bytes":1E9}`,
		`{}`,
		`{"ts":1,"uid":"C1"`, // cut mid-record
		`{"ts":1}{"ts":2}`,   // two records glued together
		`{"ts":01}`,          // leading zero
		`{"ts":1.}`, `{"ts":-}`, `{"ts":.5}`, `{"ts":1e}`,
		`{"ts":tru}`, `{"ts":True}`,
		`{"uid":"a` + "\x01" + `b"}`, // raw control character
		`{"uid":"\x"}`, `{"uid":"\u12G4"}`, `{"uid":"\`,
		`{"ts":1,}`, `{,}`, `{"ts" 1}`, `{1:2}`, `["ts"]`, `{"a":[1,]}`, `{"a":[1 2]}`,
	}
	for _, l := range handmade {
		checkAgainstRef(t, []byte(l))
	}
	// Every line of the real JSON logs reads as encoding/json reads it.
	for _, name := range []string{"wrccdc-ssh.json.gz", "wrccdc-notice.json.gz", "rita-conn-json.log", "handmade-nested.json"} {
		src, err := importers.Open("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		lr := importers.NewLineReader(src.R)
		n := 0
		for {
			l, err := lr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			checkAgainstRef(t, l.Bytes)
			n++
		}
		src.Close()
		if n == 0 {
			t.Fatalf("%s: no lines", name)
		}
	}
}

func TestLookupField(t *testing.T) {
	for f := fid(0); f < nFields; f++ {
		if g, ok := lookupField(fieldNames[f]); !ok || g != f {
			t.Fatalf("lookupField(%q) = %d %v, want %d", fieldNames[f], g, ok, f)
		}
	}
	if _, ok := lookupField("id.orig_l2_addr"); ok {
		t.Fatal("unknown field found")
	}
}

// FuzzJSONRecord checks the scanner against encoding/json (same accept /
// reject, same values) and that the importer survives any line.
func FuzzJSONRecord(f *testing.F) {
	data, _ := os.ReadFile("testdata/handmade-nested.json")
	for _, l := range bytes.Split(data, []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"_path":"notice","ts":1e400,"note":"SSH::Password_Guessing","id":{"orig_h":{"x":1}}}`))
	f.Add([]byte(`{"_path":"ssh","ts":"2026-03-14T03:05:00Z","uid":"C\u0000","auth_success":[true],"client":"\ud800"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.IndexByte(line, '\n') < 0 {
			checkAgainstRef(t, line)
		}
		src, err := importers.FromReader("fuzz.json", bytes.NewReader(line), time.Time{})
		if err != nil {
			return
		}
		var st importers.Stats
		Importer{}.Import(context.Background(), src, importers.Options{}, &st, func(e *schema.Event) error {
			if e.ID == "" || e.Format == "" || e.Line < 1 {
				t.Fatalf("event without id/format/line: %+v", e)
			}
			return nil
		})
	})
}
