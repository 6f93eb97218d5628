package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/index"
)

// facetFields are the fields whose top values the panel shows.
var facetFields = []string{"user", "src_ip", "host", "action"}

// facetPanel is the top values of a result and the one picked (f, then up
// and down; enter narrows the query to it).
type facetPanel struct {
	facets []index.Facet
	sel    int // in values(), across fields
}

// facetValue is one pickable line of the panel.
type facetValue struct {
	field, term string
}

func (p *facetPanel) show(fs []index.Facet) {
	p.facets, p.sel = fs, 0
}

func (p *facetPanel) values() []facetValue {
	var out []facetValue
	for _, f := range p.facets {
		for _, t := range f.Terms {
			out = append(out, facetValue{f.Field, t.Term})
		}
	}
	return out
}

// key handles a key while the panel has the keyboard; it returns the
// clause to add to the query when a value was picked.
func (p *facetPanel) key(msg tea.KeyMsg) (clause string) {
	all := p.values()
	switch {
	case key.Matches(msg, keys.Up):
		p.sel = max(0, p.sel-1)
	case key.Matches(msg, keys.Down):
		p.sel = min(len(all)-1, p.sel+1)
	case key.Matches(msg, keys.Open):
		if p.sel >= 0 && p.sel < len(all) {
			return quoteValue(all[p.sel].field, all[p.sel].term)
		}
	}
	return ""
}

// view draws the panel in w×h, the picked value kept in sight.
func (p *facetPanel) view(w, h int, focused bool) string {
	var lines []string
	k, sel := 0, 0
	for _, f := range p.facets {
		lines = append(lines, styleHeader.Render(fit("top "+f.Field, w)))
		for _, t := range f.Terms {
			picked := focused && k == p.sel
			if picked {
				sel = len(lines)
			}
			lines = append(lines, drawRow(pad(fmt.Sprintf("%6d %s", t.Count, Sanitize(t.Term)), w), lipgloss.Style{}, picked, w))
			k++
		}
	}
	if len(lines) > h {
		start := max(0, min(sel-h/2, len(lines)-h))
		lines = lines[start : start+h]
	}
	return strings.Join(lines, "\n")
}

// quoteValue is one exact value of a field in the query syntax, whatever
// it holds (quotes, backslashes from hostile logs).
func quoteValue(field, v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `"`, `\"`)
	return field + `:"` + v + `"`
}
