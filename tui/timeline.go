package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/index"
)

// timelineBars is how many bars the store is asked for.
const timelineBars = 60

// timeline is the histogram of a result and the bar picked (t, then left
// and right; enter narrows the query to the bar's time).
type timeline struct {
	hist []index.Bucket
	step time.Duration
	sel  int
}

func (t *timeline) show(hist []index.Bucket, step time.Duration) {
	t.hist, t.step = hist, step
	t.sel = max(0, len(hist)-1)
}

// key handles a key while the timeline has the keyboard; it returns the
// clause to add to the query when a bar was picked.
func (t *timeline) key(msg tea.KeyMsg) (clause string) {
	switch msg.String() {
	case "left", "h":
		t.sel = max(0, t.sel-1)
	case "right", "l":
		t.sel = min(len(t.hist)-1, t.sel+1)
	case "enter":
		if t.sel >= 0 && t.sel < len(t.hist) {
			b := t.hist[t.sel]
			return fmt.Sprintf(`ts:>="%s" ts:<"%s"`, b.Start.UTC().Format(time.RFC3339), b.Start.Add(t.step).UTC().Format(time.RFC3339))
		}
	}
	return ""
}

// view draws h lines: the bars, then what they span (or the picked bar).
func (t *timeline) view(loc *time.Location, w, h int, focused bool) string {
	if len(t.hist) == 0 {
		return ""
	}
	maxC := 1
	for _, b := range t.hist {
		maxC = max(maxC, b.Count)
	}
	bars := min(len(t.hist), w)
	rows := h - 1
	levels := []string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}
	var lines []string
	for r := rows - 1; r >= 0; r-- {
		var line strings.Builder
		for i := 0; i < bars; i++ {
			v := float64(t.hist[i].Count) / float64(maxC) * float64(rows*8)
			cell := int(v) - r*8
			ch := " "
			switch {
			case cell >= 8:
				ch = "█"
			case cell > 0:
				ch = levels[cell]
			}
			if focused && i == t.sel {
				line.WriteString(styleBarSel.Render(ch))
			} else {
				line.WriteString(styleBar.Render(ch))
			}
		}
		lines = append(lines, line.String())
	}
	first, last := t.hist[0].Start, t.hist[bars-1].Start
	label := fmt.Sprintf("%s … %s, %s per bar (t: pick a bar)", first.In(loc).Format("2006-01-02 15:04"), last.In(loc).Format("2006-01-02 15:04"), stepName(t.step))
	if focused && t.sel < len(t.hist) {
		b := t.hist[t.sel]
		label = fmt.Sprintf("bar %s: %d events (enter narrows to it)", b.Start.In(loc).Format("2006-01-02 15:04"), b.Count)
	}
	lines = append(lines, styleDim.Render(fit(label, w)))
	return strings.Join(lines, "\n")
}

func stepName(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}
