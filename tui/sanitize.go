package tui

import "github.com/sshtrail/sshtrail/termtext"

// Sanitize makes log-derived text inert for a terminal: C0 and C1 controls
// (ESC, BEL, CSI...), DEL, bidirectional overrides and invalid UTF-8 are
// shown escaped (\x1b, \u202e), never written raw. Log content is partly
// written by the attacker; this is the only path it takes to the screen.
// It is termtext.Sanitize, the one definition the command line shares.
func Sanitize(s string) string { return termtext.Sanitize(s) }

// fit sanitizes s and cuts it to w cells.
func fit(s string, w int) string { return termtext.Fit(s, w) }

// pad sanitizes, cuts and pads s to exactly w cells.
func pad(s string, w int) string { return termtext.Pad(s, w) }
