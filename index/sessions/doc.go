// Package sessions rebuilds SSH sessions from the events of a Store, joins
// the evidence different sources hold about one login, links sessions into
// hops and lateral-movement paths, and answers pivots on users, hosts and
// addresses. It imports index; index never imports it.
//
// Pipeline (Rebuild):
//
//  1. Build (streaming, Store.Scan): per-source sessions. Auth log, journald
//     and unified logs by (format, host, sshd pid), split on pid reuse;
//     auditd by pid and its `ses`; Zeek ssh.log by uid joined with the
//     conn.log record of the same uid. Memory holds the sessions still open
//     (plus one record per Zeek uid waiting for its other half).
//  2. Link: merge the same login seen by two host sources, join host-log
//     sessions with Zeek records (src addr:port, clock skew), learn host
//     addresses, attach ssh client processes (auditd EXECVE) to the session
//     they ran in and to the session they opened, then set Parent (hops).
//  3. Store: sessions are documents of type "session" in the Bleve index.
//     Only documents that changed are rewritten.
//
// Event.SID is not rewritten: the event log is append-only. A session points
// at its events by id (Session.Events; `events:<id>` on the session index).
package sessions
