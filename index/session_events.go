package index

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2/search"

	"github.com/sshtrail/sshtrail/schema"
)

// A session's event ids are stored once, packed, in a stored field beside
// its JSON: not as indexed terms (a term dictionary of every event id was
// most of the sessions index) and not inside the JSON, which would hold
// them as 24 hex characters and quotes. Readers get Session.Events back as
// the hex ids the JSON contract names.
const sessionEventsField = "_ev"

const (
	// packHex12: every id is schema.EventID's 24 lowercase hex characters,
	// stored as its 12 bytes.
	packHex12 = 1
	// packStrings: ids of any other shape (tests, older tools), each
	// length-prefixed, so no id is ever rewritten.
	packStrings = 2
	hexIDLen    = 24
)

// PackEventIDs encodes ids for the session store.
func PackEventIDs(ids []string) []byte {
	if len(ids) == 0 {
		return nil
	}
	allHex := true
	for _, id := range ids {
		if !isLowerHexID(id) {
			allHex = false
			break
		}
	}
	if allHex {
		out := make([]byte, 1, 1+len(ids)*hexIDLen/2)
		out[0] = packHex12
		for _, id := range ids {
			out, _ = hex.AppendDecode(out, []byte(id))
		}
		return out
	}
	out := []byte{packStrings}
	for _, id := range ids {
		out = binary.AppendUvarint(out, uint64(len(id)))
		out = append(out, id...)
	}
	return out
}

var errPacked = errors.New("malformed packed event ids")

// UnpackEventIDs decodes what PackEventIDs wrote.
func UnpackEventIDs(b []byte) ([]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	switch b[0] {
	case packHex12:
		b = b[1:]
		if len(b)%(hexIDLen/2) != 0 {
			return nil, errPacked
		}
		out := make([]string, 0, len(b)/(hexIDLen/2))
		for len(b) > 0 {
			out = append(out, hex.EncodeToString(b[:hexIDLen/2]))
			b = b[hexIDLen/2:]
		}
		return out, nil
	case packStrings:
		b = b[1:]
		var out []string
		for len(b) > 0 {
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return nil, errPacked
			}
			out = append(out, string(b[k:k+int(n)]))
			b = b[k+int(n):]
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: kind %d", errPacked, b[0])
}

func isLowerHexID(id string) bool {
	if len(id) != hexIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// sessionFields are the stored fields a session is read back from.
var sessionFields = []string{srcField, sessionEventsField}

// hitSession decodes a session hit: its JSON and its packed event ids.
func hitSession(h *search.DocumentMatch) (schema.Session, error) {
	var se schema.Session
	js, _ := h.Fields[srcField].(string)
	if err := json.Unmarshal([]byte(js), &se); err != nil {
		return se, fmt.Errorf("session %s: %w", h.ID, err)
	}
	if ev, ok := h.Fields[sessionEventsField].(string); ok {
		ids, err := UnpackEventIDs([]byte(ev))
		if err != nil {
			return se, fmt.Errorf("session %s: %w", h.ID, err)
		}
		se.Events = ids
	}
	return se, nil
}

// hasPackedEvent reports whether packed ids (as stored) hold id, without
// decoding them all.
func hasPackedEvent(b []byte, id string) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == packHex12 && isLowerHexID(id) {
		var want [hexIDLen / 2]byte
		if _, err := hex.Decode(want[:], []byte(id)); err != nil {
			return false
		}
		for p := b[1:]; len(p) >= len(want); p = p[len(want):] {
			if [hexIDLen / 2]byte(p[:len(want)]) == want {
				return true
			}
		}
		return false
	}
	ids, err := UnpackEventIDs(b)
	if err != nil {
		return false
	}
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
