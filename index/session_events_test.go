package index

import (
	"slices"
	"testing"

	"github.com/sshtrail/sshtrail/schema"
)

// Event ids come back from their packed form exactly: schema.EventID's hex
// ids as 12 bytes each, any other id as it was.
func TestPackEventIDs(t *testing.T) {
	hexIDs := []string{schema.EventID("a", 1, "x"), schema.EventID("b", 2, "y"), schema.EventID("c", 3, "z")}
	for _, ids := range [][]string{
		nil,
		hexIDs,
		{"z1", "z2"},
		{hexIDs[0], "ABCDEF0123456789ABCDEF01", "", "x\x00y"}, // upper-case hex is not rewritten
	} {
		b := PackEventIDs(ids)
		got, err := UnpackEventIDs(b)
		if err != nil || !slices.Equal(got, ids) {
			t.Errorf("%q: got %q %v", ids, got, err)
		}
		for _, id := range ids {
			if !hasPackedEvent(b, id) {
				t.Errorf("%q: %q not found", ids, id)
			}
		}
		if hasPackedEvent(b, "000000000000000000000000") {
			t.Errorf("%q: found an id it does not hold", ids)
		}
	}
	if n := len(PackEventIDs(hexIDs)); n != 1+12*len(hexIDs) {
		t.Errorf("packed %d hex ids in %d bytes", len(hexIDs), n)
	}
	if _, err := UnpackEventIDs([]byte{packHex12, 1, 2}); err == nil {
		t.Error("a cut record must not decode")
	}
}
