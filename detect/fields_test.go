package detect

import (
	"strings"
	"testing"
)

// group_by accepts the fields it always did, now read from the field table.
func TestGroupableFields(t *testing.T) {
	want := "action client command direction dst_host dst_ip dst_port file format forward hassh hassh_server host id key_fp key_type method notice outcome pid program server server_key_fp service ses sid src_ip src_port tty uid user zeek_uid"
	if got := strings.Join(groupableList(), " "); got != want {
		t.Fatalf("groupable:\n got %s\nwant %s", got, want)
	}
}
