// Package detect runs detection rules over an index.Store and returns
// Findings that link to the events and sessions proving them.
//
// Speed: the built-in rules do not query the index one value at a time.
// The engine reads the event log once (Store.Scan), keeps a compact,
// time-sorted copy of the events any rule can use (logons, failures, Zeek
// records, forwarding evidence), and every built-in rule walks that copy.
// User rules written in YAML are Bleve queries (Store.Each).
package detect
