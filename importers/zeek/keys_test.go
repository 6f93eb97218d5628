package zeek

import (
	"strings"
	"testing"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/schema"
)

// A server's host key is not a user's key: on every real ssh.log of the
// testdata (Zeek btest baselines, RITA, WRCCDC, TSV and JSON), host_key /
// host_key_fingerprint is server_key_fp, and key_fp / key_type (the user's
// key) stay empty; host_key_alg's failure text is the reason; direction is
// its own field.
func TestServerKeyNotUserKey(t *testing.T) {
	tests := []struct {
		file                string
		unmask              bool
		events, withHostKey int
		inbound, outbound   int
		negotiationFailed   int
	}{
		{"base.protocols.ssh.basic.ssh.log", true, 22, 13, 0, 8, 0},
		{"base.protocols.ssh.curve25519_kex.ssh.log", true, 1, 1, 0, 0, 0},
		{"base.protocols.ssh.mlkem_kex.ssh.log", true, 1, 1, 0, 0, 0},
		{"base.protocols.ssh.half-duplex-client.ssh.log", true, 20, 0, 0, 7, 0},
		{"core.tunnels.gre.ssh.log", true, 1, 1, 1, 0, 0},
		// The one server of the capture shows host key d2:27:79:... 807 times: a server key, never "new" for a user.
		{"rita-ssh.2024-04-19-01.log.gz", false, 822, 814, 822, 0, 0},
		{"wrccdc-ssh.log.gz", false, 22, 9, 0, 0, 4},
		{"wrccdc-ssh.json.gz", false, 22, 9, 0, 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var evs []*schema.Event
			if tt.unmask {
				evs, _ = loadUnmasked(t, tt.file, importers.Options{})
			} else {
				evs, _ = load(t, tt.file, importers.Options{})
			}
			if len(evs) != tt.events {
				t.Fatalf("%d events, want %d", len(evs), tt.events)
			}
			var hk, in, out, failed int
			for _, ev := range evs {
				if ev.KeyFP != "" || ev.KeyType != "" {
					t.Errorf("line %d: user key fields set from a Zeek record: key_fp %q key_type %q", ev.Line, ev.KeyFP, ev.KeyType)
				}
				if ev.ServerKeyFP != "" {
					hk++
					if !strings.Contains(ev.Message, "host_key_alg=") {
						t.Errorf("line %d: host key without its algorithm in the message", ev.Line)
					}
				}
				switch ev.Direction {
				case "INBOUND":
					in++
				case "OUTBOUND":
					out++
				case "":
				default:
					t.Errorf("line %d: direction %q", ev.Line, ev.Direction)
				}
				switch ev.Reason {
				case "":
				case "Algorithm negotiation failed":
					failed++
					if ev.ServerKeyFP != "" || ev.Client != "SSH-2.0-Nmap-SSH2-Hostkey" {
						t.Errorf("line %d: %+v", ev.Line, ev)
					}
				default:
					t.Errorf("line %d: reason %q (direction is no reason)", ev.Line, ev.Reason)
				}
			}
			if hk != tt.withHostKey || in != tt.inbound || out != tt.outbound || failed != tt.negotiationFailed {
				t.Errorf("host keys %d inbound %d outbound %d negotiation failed %d; want %d %d %d %d",
					hk, in, out, failed, tt.withHostKey, tt.inbound, tt.outbound, tt.negotiationFailed)
			}
		})
	}
}

// Real records field by field: which value goes where.
func TestServerKeyRealRecords(t *testing.T) {
	tests := []struct {
		file                 string
		unmask               bool
		uid                  string
		serverKey, direction string
		reason               string
	}{
		// OUTBOUND, RSA host key (Zeek 8.1 host_key_fingerprint).
		{"base.protocols.ssh.basic.ssh.log", true, "", "", "OUTBOUND", ""},
		// INBOUND through a GRE tunnel.
		{"core.tunnels.gre.ssh.log", true, "", "SHA256:uBYqruQMTBP9p69Sqq9z5wFvMBG/M9+u", "INBOUND", ""},
		// Nmap's ssh2-hostkey probe against OpenSSH 4.3: no common host key algorithm.
		{"wrccdc-ssh.log.gz", false, "Cwg7QB1xzuoozNL3g8", "", "", "Algorithm negotiation failed"},
		{"wrccdc-ssh.json.gz", false, "Cwg7QB1xzuoozNL3g8", "", "", "Algorithm negotiation failed"},
		// Zeek 3.x host_key: MD5 hex.
		{"wrccdc-ssh.json.gz", false, "C2MugGdsn3ZVI1wn6", "2d:37:6b:11:43:f8:96:08:fe:60:42:20:98:9f:75:af", "", ""},
	}
	for _, tt := range tests {
		var evs []*schema.Event
		if tt.unmask {
			evs, _ = loadUnmasked(t, tt.file, importers.Options{})
		} else {
			evs, _ = load(t, tt.file, importers.Options{})
		}
		var ev *schema.Event
		for _, e := range evs {
			if tt.uid == "" && strings.HasPrefix(e.ServerKeyFP, tt.serverKey) && e.Direction == tt.direction && e.ServerKeyFP != "" ||
				tt.uid != "" && e.ZeekUID == tt.uid {
				ev = e
				break
			}
		}
		if ev == nil {
			t.Errorf("%s %s: no record", tt.file, tt.uid)
			continue
		}
		if tt.serverKey != "" && !strings.HasPrefix(ev.ServerKeyFP, tt.serverKey) || ev.Direction != tt.direction || ev.Reason != tt.reason ||
			ev.KeyFP != "" || ev.KeyType != "" {
			t.Errorf("%s %s: server_key_fp %q direction %q reason %q key_fp %q key_type %q",
				tt.file, tt.uid, ev.ServerKeyFP, ev.Direction, ev.Reason, ev.KeyFP, ev.KeyType)
		}
	}
}

// What an ICMP record of conn.log becomes (RITA's real capture): Zeek writes
// the ICMP type and code in the port columns (echo request: 8 and 0). The
// record is kept, as a connection with proto icmp in its message; port 0
// is in the message ("port 0") but, like every 0 port, not in dst_port (the
// schema's ports are omitted when 0). The ssh-only conn filter drops it.
func TestICMPConnKept(t *testing.T) {
	evs, _ := load(t, "rita-conn.2024-04-19-01.log.gz", importers.Options{})
	icmp := 0
	var echo *schema.Event
	for _, ev := range evs {
		if strings.HasPrefix(ev.Message, "conn icmp ") {
			icmp++
			if ev.Line == 568 {
				echo = ev
			}
		}
	}
	if icmp != 38 {
		t.Errorf("%d ICMP records kept, want all 38", icmp)
	}
	if echo == nil || echo.Action != schema.ActionConnection || echo.Outcome != schema.OutcomeUnknown ||
		echo.SrcIP != "103.61.39.154" || echo.SrcPort != 8 || echo.DstIP != "64.225.56.201" || echo.DstPort != 0 ||
		echo.ZeekUID != "C2LPHDX9V8lg5vv44" || echo.ConnState != "OTH" || echo.BytesOut != 8 || echo.BytesIn != 8 ||
		!strings.HasPrefix(echo.Message, "conn icmp 103.61.39.154 port 8 -> 64.225.56.201 port 0 ") {
		t.Fatalf("echo request: %+v", echo)
	}
	kept, _ := load(t, "rita-conn.2024-04-19-01.log.gz", importers.Options{ZeekConn: "ssh"})
	for _, ev := range kept {
		if strings.HasPrefix(ev.Message, "conn icmp ") {
			t.Fatalf("--zeek-conn ssh kept an ICMP record: %+v", ev)
		}
	}
}

// The failure text is told from real algorithm names.
func TestAlgorithmName(t *testing.T) {
	for v, want := range map[string]bool{
		"": true, "ssh-rsa": true, "ecdsa-sha2-nistp256": true, "ssh-ed25519-cert-v01@openssh.com": true, "rsa-sha2-512": true,
		"Algorithm negotiation failed": false, "a,b": false, "x\ty": false, strings.Repeat("a", 65): false,
	} {
		if got := algorithmName(v); got != want {
			t.Errorf("algorithmName(%q) = %v", v, got)
		}
	}
}
