package zeek

// fid names a Zeek field the importer reads. Records are parsed into a fixed
// array indexed by fid, so the hot path does no map lookups per field: the
// TSV header maps its columns to fids once per block, and the JSON scanner
// maps each key once per record.
type fid uint8

const (
	fTS fid = iota
	fUID
	fOrigH
	fOrigP
	fRespH
	fRespP
	fPath
	fNodeName
	fSystemName
	// ssh.log
	fAuthSuccess
	fAuthAttempts
	fDirection
	fClient
	fServer
	fKexAlg
	fHostKeyAlg
	fHostKey
	fHostKeyFP
	fHASSH
	fHASSHAlgorithms
	fHASSHServer
	fHASSHServerSnake
	// conn.log
	fProto
	fService
	fDuration
	fOrigBytes
	fRespBytes
	fConnState
	fHistory
	// notice.log
	fNote
	fMsg
	fSub
	fSrc
	fDst
	fP
	fActions
	nFields
)

// fieldNames are Zeek's names of the fids, JSON keys after flattening
// ({"id":{"orig_h":..}} is "id.orig_h").
var fieldNames = [nFields]string{
	fTS: "ts", fUID: "uid",
	fOrigH: "id.orig_h", fOrigP: "id.orig_p", fRespH: "id.resp_h", fRespP: "id.resp_p",
	fPath: "_path", fNodeName: "_node_name", fSystemName: "_system_name",
	fAuthSuccess: "auth_success", fAuthAttempts: "auth_attempts", fDirection: "direction",
	fClient: "client", fServer: "server", fKexAlg: "kex_alg", fHostKeyAlg: "host_key_alg",
	fHostKey: "host_key", fHostKeyFP: "host_key_fingerprint",
	fHASSH: "hassh", fHASSHAlgorithms: "hasshAlgorithms", fHASSHServer: "hasshServer", fHASSHServerSnake: "hassh_server",
	fProto: "proto", fService: "service", fDuration: "duration",
	fOrigBytes: "orig_bytes", fRespBytes: "resp_bytes", fConnState: "conn_state", fHistory: "history",
	fNote: "note", fMsg: "msg", fSub: "sub", fSrc: "src", fDst: "dst", fP: "p", fActions: "actions",
}

// lookupField returns the fid of a Zeek field name, or false for fields the
// importer does not read. A switch, not a map: the compiler's length-first
// binary search beats hashing every JSON key (measured: map lookups were 14%
// of a JSON conn import). TestLookupField keeps it in step with fieldNames.
func lookupField(name string) (fid, bool) {
	switch name {
	case "ts":
		return fTS, true
	case "uid":
		return fUID, true
	case "id.orig_h":
		return fOrigH, true
	case "id.orig_p":
		return fOrigP, true
	case "id.resp_h":
		return fRespH, true
	case "id.resp_p":
		return fRespP, true
	case "_path":
		return fPath, true
	case "_node_name":
		return fNodeName, true
	case "_system_name":
		return fSystemName, true
	case "auth_success":
		return fAuthSuccess, true
	case "auth_attempts":
		return fAuthAttempts, true
	case "direction":
		return fDirection, true
	case "client":
		return fClient, true
	case "server":
		return fServer, true
	case "kex_alg":
		return fKexAlg, true
	case "host_key_alg":
		return fHostKeyAlg, true
	case "host_key":
		return fHostKey, true
	case "host_key_fingerprint":
		return fHostKeyFP, true
	case "hassh":
		return fHASSH, true
	case "hasshAlgorithms":
		return fHASSHAlgorithms, true
	case "hasshServer":
		return fHASSHServer, true
	case "hassh_server":
		return fHASSHServerSnake, true
	case "proto":
		return fProto, true
	case "service":
		return fService, true
	case "duration":
		return fDuration, true
	case "orig_bytes":
		return fOrigBytes, true
	case "resp_bytes":
		return fRespBytes, true
	case "conn_state":
		return fConnState, true
	case "history":
		return fHistory, true
	case "note":
		return fNote, true
	case "msg":
		return fMsg, true
	case "sub":
		return fSub, true
	case "src":
		return fSrc, true
	case "dst":
		return fDst, true
	case "p":
		return fP, true
	case "actions":
		return fActions, true
	}
	return 0, false
}

// rec is one record, TSV or JSON, seen through Zeek's field names. A field
// is either unset (absent, "-", null) or set, possibly to "" ("(empty)").
type rec struct {
	v   [nFields]string
	set [nFields]bool
}

func (r *rec) reset() { *r = rec{} }

// put sets a field; a JSON key given twice keeps the last value, as
// encoding/json does.
func (r *rec) put(f fid, v string) { r.v[f], r.set[f] = v, true }

// get returns a field's value and whether it is set.
func (r *rec) get(f fid) (string, bool) { return r.v[f], r.set[f] }

func (r *rec) has(f fid) bool { return r.set[f] }

func (r *rec) str(f fid) string { return r.v[f] }

// first returns the first non-empty set field of fs.
func (r *rec) first(fs ...fid) string {
	for _, f := range fs {
		if r.set[f] && r.v[f] != "" {
			return r.v[f]
		}
	}
	return ""
}
