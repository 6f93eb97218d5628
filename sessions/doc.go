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
//     (plus one record per Zeek uid waiting for its other half) and the
//     finished sessions (without their events and state: spill.go).
//  2. Link: merge the same login seen by two host sources, join host-log
//     sessions with Zeek records (src addr:port, clock skew), learn host
//     addresses, attach ssh client processes (auditd EXECVE) to the session
//     they ran in and to the session they opened, then set Parent (hops).
//  3. Store: sessions are documents of type "session" in the Bleve index,
//     written 2000 at a time. Only documents that changed are rewritten.
//
// Event.SID is not rewritten: the event log is append-only. A session points
// at its events by id (Session.Events, stored packed with the session; the
// store finds an event's session from its host and time, index.SessionOf).
//
// Memory: the rebuild keeps what link reads of every session; each
// session's event ids and builder state go to a spill file beside the index
// when the session is built and are read back one write batch at a time.
//
// Rules chosen where the issue was silent:
//
//   - A pid starts a new session when an authentication line arrives after
//     the pid's session closed, from another address or port, as a second
//     Accepted or Connection line, or (not yet logged in) after Options.GapSplit.
//   - Only sshd programs (sshd, sshd-session, sshd-auth, or none named) form
//     sessions; sudo/su lines join the open login of the same user on the
//     host (same source first; the login seen on that tty, else the latest one
//     whose tty is unknown, else the latest). sudo's own pam lines join nothing.
//   - Lines from another pid (privsep children, the monitor's pam close) join
//     an open login of the same host, source, user and address whose pid is
//     within 1000 of theirs; "other" lines never start a session.
//   - failures = Failed lines before the login, or Invalid user lines when
//     there are more of those (one attempt often logs both). A connection that
//     never logged in ends at its last line; a login without a close is open
//     (End zero) at the end of the data.
//   - Zeek: a conn.log record waits for its ssh.log record only if it can be
//     SSH (service ssh or port 22); SSH conn records without an ssh.log record
//     are sessions of their own (sources [zeek_conn]). A Zeek-only session's
//     host is the host known to have its destination address, else empty.
//   - A host-log session and a Zeek record join on equal source address and
//     port within Skew, and only if the host's known addresses (assets or
//     learned) include the Zeek destination; host logs without ports join in
//     a second pass that needs the host's address known.
//   - Hop parent: among successful (or unknown, for Zeek) sessions into the
//     node the child came from, open at the child's start (± Skew), the latest
//     begun; an ssh client process seen by auditd decides first. Parents never
//     form cycles. Paths leave out failed logons.
package sessions
