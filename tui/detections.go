package tui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/sshtrail/sshtrail/detect"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/schema"
)

// runDetect runs the rules over the store (a test watches it).
var runDetect = detect.Run

// detectionsView is the Detections tab: the findings of every rule, most
// severe first, and one finding opened with its evidence.
type detectionsView struct {
	base
	loaded  bool
	running bool
	list    []detect.Finding
	took    time.Duration
	rows    list
	detail  *findingDetailMsg
	detRows list
}

type findingsMsg struct {
	list []detect.Finding
	took time.Duration
	err  error
}

type findingDetailMsg struct {
	f      detect.Finding
	events []*schema.Event
	err    error
}

func newDetectionsView(e *env) *detectionsView { return &detectionsView{base: base{env: e}} }

func (v *detectionsView) Title() string { return "Detections" }

// Show runs the rules the first time the tab is shown.
func (v *detectionsView) Show() tea.Cmd {
	if !v.loaded && !v.running {
		return v.run()
	}
	return nil
}

func (v *detectionsView) ShortHelp() []key.Binding {
	return []key.Binding{keys.Open, keys.Back, keys.Rerun}
}

func (v *detectionsView) FullHelp() [][]key.Binding { return listHelp(v.ShortHelp()...) }

func (v *detectionsView) run() tea.Cmd {
	v.running = true
	ctx, h, cfg := v.env.ctx, v.env.store, v.env.opts.Detect
	return func() tea.Msg {
		t := time.Now()
		fs, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) ([]detect.Finding, error) {
			return runDetect(ctx, st, cfg, nil, time.Time{})
		})
		return findingsMsg{list: fs, took: time.Since(t), err: err}
	}
}

func (v *detectionsView) open(f detect.Finding) tea.Cmd {
	ctx, h := v.env.ctx, v.env.store
	return func() tea.Msg {
		evs, err := withStore(h, ctx, func(ctx context.Context, st *index.Store) ([]*schema.Event, error) { return st.Get(ctx, f.Events) })
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].TS.Before(evs[j].TS) })
		return findingDetailMsg{f: f, events: evs, err: err}
	}
}

func (v *detectionsView) Update(msg tea.Msg) (view, tea.Cmd) {
	switch msg := msg.(type) {
	case findingsMsg:
		v.running, v.loaded = false, true
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.err = ""
		v.list, v.took = msg.list, msg.took
	case findingDetailMsg:
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.detail = &msg
		v.detRows = list{}
	case refreshMsg:
		// A run the yield cut short is run again on the reopened store;
		// findings that were shown stay until r, as after an import.
		if v.err != "" && !v.running {
			return v, v.run()
		}
	case tea.KeyMsg:
		if v.detail != nil {
			switch {
			case key.Matches(msg, keys.Back):
				v.detail = nil
			case key.Matches(msg, keys.Open):
				// Open the session of the selected evidence event.
				if v.detRows.cursor < len(v.detail.events) {
					return v, openSessionOf(v.env, v.detail.events[v.detRows.cursor])
				}
			default:
				v.detRows.keyList(msg, len(v.detail.events), 10)
			}
			return v, nil
		}
		if key.Matches(msg, keys.Rerun) && !v.running {
			return v, v.run()
		}
		if v.rows.keyList(msg, len(v.list), 10) {
			return v, nil
		}
		if key.Matches(msg, keys.Open) && v.rows.cursor < len(v.list) {
			return v, v.open(v.list[v.rows.cursor])
		}
	}
	return v, nil
}

func (v *detectionsView) View(w, h int) string {
	loc := v.env.opts.Location
	if d := v.detail; d != nil {
		f := d.f
		lines := []string{
			severityStyle[string(f.Severity)].Render(fit(fmt.Sprintf("%s  %s — %s (%s)", strings.ToUpper(string(f.Severity)), f.Rule, f.Title, f.Technique), w)),
			fit("  "+f.Summary, w),
			fit(fmt.Sprintf("  host %s · user %s · source %s · dest %s · sessions %s   (esc: back, enter: open the event's session)", f.Host, f.User, f.SrcIP, f.DstIP, strings.Join(f.SIDs, " ")), w),
			styleHeader.Render(fit(fmt.Sprintf("evidence: %d events", len(d.events)), w)),
		}
		lines = append(lines, v.detRows.render(len(d.events), w, h-len(lines), true, func(i int) (string, lipgloss.Style) {
			ev := d.events[i]
			return fit(fmt.Sprintf("%s %-10s [%-11s] %-14s %s", ev.TS.In(loc).Format("2006-01-02 15:04:05"), Sanitize(ev.Host), ev.Format, ev.Action, Sanitize(ev.Message)), w), lipgloss.Style{}
		})...)
		return strings.Join(lines, "\n")
	}
	if v.running {
		return styleDim.Render("running the detections…")
	}
	if !v.loaded {
		return styleDim.Render("press r to run the detections")
	}
	lines := []string{styleDim.Render(fit(fmt.Sprintf("%d findings in %s, most severe first — enter opens one, r runs again", len(v.list), v.took.Round(time.Millisecond)), w))}
	lines = append(lines, v.rows.render(len(v.list), w, h-1, true, func(i int) (string, lipgloss.Style) {
		f := v.list[i]
		l := fmt.Sprintf("%-8s %s %-36s %s", strings.ToUpper(string(f.Severity)), f.TS.In(loc).Format("2006-01-02 15:04"), f.Rule, Sanitize(f.Summary))
		return fit(l, w), severityStyle[string(f.Severity)]
	})...)
	return strings.Join(lines, "\n")
}
