package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/sshtrail/sshtrail/index"
)

// safe makes log-derived text inert for a terminal.
// TODO(lead): switch to tui.Sanitize once the tui package lands, so there is one implementation.
func safe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// cell bounds a field for a table column.
func cell(s string, max int) string {
	s = safe(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

func source(ev *index.Event) string {
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

func printEvents(w io.Writer, evs []*index.Event, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tHOST\tACTION\tOUTCOME\tUSER\tSOURCE\tMESSAGE")
	for _, ev := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			ev.TS.In(loc).Format("2006-01-02 15:04:05"),
			cell(ev.Host, 24), cell(ev.Action, 16), cell(ev.Outcome, 8), cell(ev.User, 20), cell(source(ev), 46), cell(ev.Message, 120))
	}
	tw.Flush()
}
