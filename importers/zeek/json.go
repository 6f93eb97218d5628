package zeek

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// A hand-rolled scanner for one JSON object per line. encoding/json into a
// map cost 17 allocations and ~15 µs per conn record (57k records/s); this
// one keeps unescaped strings as substrings of the line and stores only the
// fields the importer reads. It is strict (the same grammar as
// encoding/json, checked by FuzzJSONRecord against it) so a record cut
// mid-line is reported, never half-read. Unlike encoding/json it keeps
// invalid UTF-8 as it is: log content is kept as-is, display layers escape.

// maxDepth bounds nesting as encoding/json does.
const maxDepth = 10000

var errJSONEnd = errors.New("unexpected end of JSON")

type jsonScanner struct {
	s     string
	i     int
	depth int
	r     *rec
}

// parseJSON reads one JSON object (Zeek's dotted keys, or nested "id":{...})
// into r.
func parseJSON(line string, r *rec) error {
	r.reset()
	sc := jsonScanner{s: line, r: r}
	sc.ws()
	if sc.i >= len(sc.s) || sc.s[sc.i] != '{' {
		return sc.fail("expected {")
	}
	if err := sc.object(""); err != nil {
		return err
	}
	sc.ws()
	if sc.i != len(sc.s) {
		return sc.fail("data after the object")
	}
	return nil
}

func (sc *jsonScanner) fail(what string) error {
	if sc.i >= len(sc.s) {
		return errJSONEnd
	}
	return fmt.Errorf("%s at byte %d", what, sc.i)
}

func (sc *jsonScanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// object reads {...} at sc.i; prefix is the dotted name of the object
// ("" at the top, "id." inside "id").
func (sc *jsonScanner) object(prefix string) error {
	if sc.depth++; sc.depth > maxDepth {
		return sc.fail("nested too deep")
	}
	defer func() { sc.depth-- }()
	sc.i++ // {
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == '}' {
		sc.i++
		return nil
	}
	for {
		sc.ws()
		if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
			return sc.fail("expected key")
		}
		key, err := sc.str()
		if err != nil {
			return err
		}
		sc.ws()
		if sc.i >= len(sc.s) || sc.s[sc.i] != ':' {
			return sc.fail("expected :")
		}
		sc.i++
		sc.ws()
		name := key
		if prefix != "" {
			name = prefix + key
		}
		if err := sc.value(name); err != nil {
			return err
		}
		sc.ws()
		if sc.i >= len(sc.s) {
			return errJSONEnd
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
		case '}':
			sc.i++
			return nil
		default:
			return sc.fail("expected , or }")
		}
	}
}

// value reads any value at sc.i and stores it under name when the importer
// reads that field.
func (sc *jsonScanner) value(name string) error {
	if sc.i >= len(sc.s) {
		return errJSONEnd
	}
	id, want := lookupField(name)
	switch c := sc.s[sc.i]; {
	case c == '"':
		v, err := sc.str()
		if err != nil {
			return err
		}
		if want {
			sc.r.put(id, v)
		}
	case c == '{':
		return sc.object(name + ".")
	case c == '[':
		v, err := sc.array(want)
		if err != nil {
			return err
		}
		if want {
			sc.r.put(id, v)
		}
	case c == 't', c == 'f', c == 'n':
		v, err := sc.literal()
		if err != nil {
			return err
		}
		if !want {
			return nil
		}
		if c == 'n' {
			// null is unset, as if absent.
			sc.r.v[id], sc.r.set[id] = "", false
			return nil
		}
		sc.r.put(id, v)
	case c == '-' || c >= '0' && c <= '9':
		v, err := sc.number()
		if err != nil {
			return err
		}
		if want {
			sc.r.put(id, v)
		}
	default:
		return sc.fail("unexpected character")
	}
	return nil
}

// array reads [...]; its scalars are joined with "," as TSV sets are
// (nested arrays and objects are checked and left out).
func (sc *jsonScanner) array(keep bool) (string, error) {
	if sc.depth++; sc.depth > maxDepth {
		return "", sc.fail("nested too deep")
	}
	defer func() { sc.depth-- }()
	sc.i++ // [
	var out []byte
	n := 0
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == ']' {
		sc.i++
		return "", nil
	}
	for {
		sc.ws()
		if sc.i >= len(sc.s) {
			return "", errJSONEnd
		}
		var v string
		var err error
		scalar := true
		switch c := sc.s[sc.i]; {
		case c == '"':
			v, err = sc.str()
		case c == '{':
			scalar, err = false, sc.object("\x00") // no field has this prefix
		case c == '[':
			scalar = false
			_, err = sc.array(false)
		case c == 't', c == 'f':
			v, err = sc.literal()
		case c == 'n':
			scalar = false
			_, err = sc.literal()
		case c == '-' || c >= '0' && c <= '9':
			v, err = sc.number()
		default:
			err = sc.fail("unexpected character")
		}
		if err != nil {
			return "", err
		}
		if keep && scalar {
			if n > 0 {
				out = append(out, ',')
			}
			out = append(out, v...)
			n++
		}
		sc.ws()
		if sc.i >= len(sc.s) {
			return "", errJSONEnd
		}
		switch sc.s[sc.i] {
		case ',':
			sc.i++
		case ']':
			sc.i++
			return string(out), nil
		default:
			return "", sc.fail("expected , or ]")
		}
	}
}

// literal reads true, false or null; booleans read as Zeek's T and F.
func (sc *jsonScanner) literal() (string, error) {
	for _, l := range [...]struct{ word, val string }{{"true", "T"}, {"false", "F"}, {"null", ""}} {
		if len(sc.s)-sc.i >= len(l.word) && sc.s[sc.i:sc.i+len(l.word)] == l.word {
			sc.i += len(l.word)
			return l.val, nil
		}
	}
	return "", sc.fail("bad literal")
}

// number reads a JSON number and returns its text (Zeek's ts, ports, counts
// and intervals are read from the text, never through float64).
func (sc *jsonScanner) number() (string, error) {
	start := sc.i
	s := sc.s
	digits := func() int {
		n := 0
		for sc.i < len(s) && s[sc.i] >= '0' && s[sc.i] <= '9' {
			sc.i++
			n++
		}
		return n
	}
	if s[sc.i] == '-' {
		sc.i++
	}
	if sc.i < len(s) && s[sc.i] == '0' {
		sc.i++
	} else if digits() == 0 {
		return "", sc.fail("bad number")
	}
	if sc.i < len(s) && s[sc.i] == '.' {
		sc.i++
		if digits() == 0 {
			return "", sc.fail("bad number")
		}
	}
	if sc.i < len(s) && (s[sc.i] == 'e' || s[sc.i] == 'E') {
		sc.i++
		if sc.i < len(s) && (s[sc.i] == '+' || s[sc.i] == '-') {
			sc.i++
		}
		if digits() == 0 {
			return "", sc.fail("bad number")
		}
	}
	return s[start:sc.i], nil
}

// str reads a string at sc.i (on its opening quote). Without escapes the
// result is a substring of the line: no copy.
func (sc *jsonScanner) str() (string, error) {
	s := sc.s
	sc.i++
	start := sc.i
	for sc.i < len(s) {
		switch c := s[sc.i]; {
		case c == '"':
			v := s[start:sc.i]
			sc.i++
			return v, nil
		case c == '\\':
			return sc.strEscaped(start)
		case c < 0x20:
			return "", sc.fail("control character in string")
		default:
			sc.i++
		}
	}
	return "", errJSONEnd
}

// strEscaped finishes a string that holds escapes; sc.i is on the first
// backslash. Lone surrogates become U+FFFD as in encoding/json.
func (sc *jsonScanner) strEscaped(start int) (string, error) {
	s := sc.s
	b := make([]byte, 0, sc.i-start+16)
	b = append(b, s[start:sc.i]...)
	for sc.i < len(s) {
		c := s[sc.i]
		switch {
		case c == '"':
			sc.i++
			return string(b), nil
		case c < 0x20:
			return "", sc.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			sc.i++
			continue
		}
		if sc.i+1 >= len(s) {
			return "", errJSONEnd
		}
		e := s[sc.i+1]
		sc.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, sc.i)
			if !ok {
				return "", sc.fail("bad \\u escape")
			}
			sc.i += 4
			if utf16.IsSurrogate(r) {
				if sc.i+1 < len(s) && s[sc.i] == '\\' && s[sc.i+1] == 'u' {
					if r2, ok := hex4(s, sc.i+2); ok {
						if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
							sc.i += 6
							b = utf8.AppendRune(b, d)
							continue
						}
					}
				}
				r = unicode.ReplacementChar
			}
			b = utf8.AppendRune(b, r)
		default:
			sc.i -= 1
			return "", sc.fail("bad escape")
		}
	}
	return "", errJSONEnd
}

func hex4(s string, i int) (rune, bool) {
	if len(s)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
