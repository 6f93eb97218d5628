package zeek

import (
	"fmt"
	"strconv"
	"strings"
)

// header is one TSV header block. Zeek writes one per file, but concatenated
// or rotated logs hold several, each starting at #separator.
type header struct {
	sep, setSep  string
	empty, unset string
	path         string
	fields       []string
	cols         []int8 // column -> fid, -1 for columns the importer does not read
	isSet        []bool // column holds a set/vector (joined by setSep)
	types        []string
}

func newHeader() *header {
	return &header{sep: "\t", setSep: ",", empty: "(empty)", unset: "-"}
}

// unescapeSep reads the #separator value: "\x09" style escapes.
func unescapeSep(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+3 < len(v) && v[i+1] == 'x' {
			if n, err := strconv.ParseUint(v[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// directive applies one header line; it returns an error for a header line
// that cannot be used.
func (h *header) directive(line string) error {
	if strings.HasPrefix(line, "#separator") {
		v := strings.TrimSpace(strings.TrimPrefix(line, "#separator"))
		s := unescapeSep(v)
		if s == "" {
			return fmt.Errorf("empty #separator")
		}
		// A new block: everything of the previous one is forgotten.
		*h = *newHeader()
		h.sep = s
		return nil
	}
	name, val, ok := strings.Cut(line[1:], h.sep)
	if !ok {
		// "#open XXXX" in some baselines uses a space.
		name, val, _ = strings.Cut(line[1:], " ")
	}
	switch name {
	case "set_separator":
		h.setSep = val
	case "empty_field":
		h.empty = val
	case "unset_field":
		h.unset = val
	case "path":
		h.path = val
	case "fields":
		h.fields = strings.Split(val, h.sep)
		h.cols = make([]int8, len(h.fields))
		for i, f := range h.fields {
			h.cols[i] = -1
			if id, ok := lookupField(f); ok {
				h.cols[i] = int8(id)
			}
		}
		h.markSets()
	case "types":
		h.types = strings.Split(val, h.sep)
		h.markSets()
	default:
		// #open, #close and unknown directives are comments.
	}
	return nil
}

// markSets notes the set/vector columns, whichever of #fields and #types
// came first.
func (h *header) markSets() {
	h.isSet = make([]bool, len(h.fields))
	for i := range h.isSet {
		if i < len(h.types) {
			t := h.types[i]
			h.isSet[i] = strings.HasPrefix(t, "set[") || strings.HasPrefix(t, "vector[")
		}
	}
}

// parse splits one data line into r. It fails when the column count does
// not match the header: a shifted column would put values under the wrong
// names.
func (h *header) parse(line string, r *rec) error {
	r.reset()
	n := len(h.fields)
	col := 0
	for rest := line; ; col++ {
		var val string
		i := strings.Index(rest, h.sep)
		if i < 0 {
			val = rest
		} else {
			val = rest[:i]
		}
		if col < n {
			h.store(col, val, r)
		}
		if i < 0 {
			break
		}
		rest = rest[i+len(h.sep):]
	}
	if col+1 != n {
		return fmt.Errorf("%d columns, header has %d", col+1, n)
	}
	return nil
}

func (h *header) store(col int, val string, r *rec) {
	id := h.cols[col]
	if id < 0 {
		return
	}
	switch val {
	case h.unset:
		r.set[id], r.v[id] = false, ""
		return
	case h.empty:
		val = ""
	}
	if h.isSet[col] && h.setSep != "," && h.setSep != "" {
		// Sets read the same as JSON arrays: comma-joined.
		val = strings.ReplaceAll(val, h.setSep, ",")
	}
	r.v[id], r.set[id] = val, true
}
