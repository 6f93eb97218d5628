package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sshtrail/sshtrail/export"
	"github.com/sshtrail/sshtrail/schema"
	"github.com/sshtrail/sshtrail/termtext"
)

// inert is where every JSON output goes: encoding/json writes C1 controls,
// DEL and bidi runes raw, and `sshtrail ... --json` reaches a terminal as
// often as jq does.
func inert(w io.Writer) io.Writer { return export.InertJSON(w) }

// source is where an event came from: address:port, [v6]:port, or the
// address alone.
func source(ev *schema.Event) string { return addrPort(ev.SrcIP, ev.SrcPort) }

func addrPort(ip string, port int) string {
	switch {
	case ip == "" || port == 0:
		return ip
	case strings.Contains(ip, ":"):
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

func printEvents(w io.Writer, evs []*schema.Event, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tHOST\tACTION\tOUTCOME\tUSER\tSOURCE\tMESSAGE")
	for _, ev := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			ev.TS.In(loc).Format("2006-01-02 15:04:05"),
			termtext.Fit(ev.Host, 24), termtext.Fit(ev.Action, 16), termtext.Fit(ev.Outcome, 8), termtext.Fit(ev.User, 20), termtext.Fit(source(ev), 46), termtext.Fit(ev.Message, 120))
	}
	tw.Flush()
}
