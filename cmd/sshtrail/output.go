package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sshtrail/sshtrail/export"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/tui"
)

// safe makes log-derived text inert for a terminal; the same function the
// workbench uses, so there is one definition of "inert".
func safe(s string) string { return tui.Sanitize(s) }

// inert is where every JSON output goes: encoding/json writes C1 controls,
// DEL and bidi runes raw, and `sshtrail ... --json` reaches a terminal as
// often as jq does.
func inert(w io.Writer) io.Writer { return export.InertJSON(w) }

// cell bounds a field for a table column.
func cell(s string, max int) string {
	s = safe(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

func source(ev *schema.Event) string {
	if ev.SrcIP == "" {
		return ""
	}
	if ev.SrcPort != 0 {
		if strings.Contains(ev.SrcIP, ":") {
			return fmt.Sprintf("[%s]:%d", ev.SrcIP, ev.SrcPort)
		}
		return fmt.Sprintf("%s:%d", ev.SrcIP, ev.SrcPort)
	}
	return ev.SrcIP
}

func printEvents(w io.Writer, evs []*schema.Event, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tHOST\tACTION\tOUTCOME\tUSER\tSOURCE\tMESSAGE")
	for _, ev := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			ev.TS.In(loc).Format("2006-01-02 15:04:05"),
			cell(ev.Host, 24), cell(ev.Action, 16), cell(ev.Outcome, 8), cell(ev.User, 20), cell(source(ev), 46), cell(ev.Message, 120))
	}
	tw.Flush()
}
