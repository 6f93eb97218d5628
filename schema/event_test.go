package schema

import "testing"

// Ids are stored in every index: a change to the hash makes a re-import add
// every event a second time. The value is sha256("abc" 0x00 uint64be(42)
// 0x00 "Failed password for root"), first 12 bytes, computed outside Go.
func TestEventIDStable(t *testing.T) {
	if got := EventID("abc", 42, "Failed password for root"); got != "06eafd5534ce973b6b1b8137" {
		t.Fatalf("EventID changed: %q", got)
	}
	if EventID("a", 1, "x") == EventID("a", 2, "x") || EventID("a", 1, "x") == EventID("b", 1, "x") {
		t.Fatal("ids of different positions or sources collide")
	}
}
