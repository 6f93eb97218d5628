// Package sshtrail is the root of a terminal workbench for investigating SSH
// activity (MITRE ATT&CK T1021.004). The tree reads like the data flow:
//
//	files → importers/ → schema.Event → index/ (the store) → sessions/, saved/, detect/ → export/, intake/, tui/, cmd/
//
// schema/ is the leaf everyone stands on. deps_test.go says which package
// may import which; a package imports only packages to its left.
package sshtrail
