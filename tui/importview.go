package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/sshtrail/sshtrail/importers"
	"github.com/sshtrail/sshtrail/importers/ingest"
	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/intake"
)

type importProgressMsg struct {
	p  ingest.Progress
	ch chan tea.Msg
}

// importPhaseMsg says the import moved on to its next step.
type importPhaseMsg struct {
	phase importPhase
	ch    chan tea.Msg
}

type importDoneMsg struct {
	sum *ingest.Summary
	err error
	// stopped: the import was cancelled and kept what it had read.
	stopped bool
	// unbuilt: the session rebuild was abandoned (forced quit); the store's
	// touched record makes the next command finish it.
	unbuilt bool
	// reopen: the import wrote through a store of its own, closed now; the
	// workbench opens the index read-only again.
	reopen bool
}

// importWaitMsg says whom the import waits for before it can write.
type importWaitMsg struct {
	holders []index.Holder
	ch      chan tea.Msg
}

type importPhase int

const (
	phaseReading    importPhase = iota
	phaseStopping               // cancel requested, ingest.Run still committing
	phaseRebuilding             // sessions.Finish over what was stored
)

type importView struct {
	env     *env
	opts    *Options
	ctx     context.Context // the program's: an import never outlives it
	input   textinput.Model
	bar     progress.Model
	running bool
	phase   importPhase
	stop    context.CancelFunc // ends the reading; what was read is committed
	abandon context.CancelFunc // ends the session rebuild too (forced quit)
	read    chan struct{}      // closed once ingest.Run returned: the reading is committed
	done    chan struct{}      // closed once the import goroutine returned
	last    ingest.Progress
	waiting []index.Holder // the processes the import waits for, while it waits
	sum     *ingest.Summary
	stopped bool
	unbuilt bool
	err     string
}

func newImportView(e *env) *importView {
	in := textinput.New()
	in.Prompt = "path> "
	in.Placeholder = "file, folder or glob to import (enter starts)"
	in.Focus()
	return &importView{env: e, opts: e.opts, ctx: e.ctx, input: in, bar: progress.New(progress.WithDefaultGradient())}
}

var importKeys = struct{ Focus, Run, Back key.Binding }{
	withHelp(keys.Focus, "edit the path"), withHelp(keys.Run, "import"), withHelp(keys.Back, "leave the path"),
}

func (v *importView) Title() string { return "Import" }

func (v *importView) Init() tea.Cmd { return nil }

func (v *importView) Show() tea.Cmd { return nil }

func (v *importView) Typing() bool { return v.input.Focused() }

func (v *importView) Err() string { return v.err }

func (v *importView) ShortHelp() []key.Binding {
	return []key.Binding{importKeys.Focus, importKeys.Run, importKeys.Back}
}

func (v *importView) FullHelp() [][]key.Binding {
	return [][]key.Binding{{importKeys.Focus, importKeys.Run, importKeys.Back}}
}

// importSlack keeps room in the message channel for the phase and done
// messages: only the import goroutine sends, and progress ticks are dropped
// once fewer free slots are left, so no send ever blocks. A blocked send
// would keep the goroutine (and the store's writer) alive after the UI quit.
const importSlack = 2

// start runs the import in the background; progress arrives on a channel
// that a Cmd reads one message at a time.
func (v *importView) start(path string) tea.Cmd {
	v.running, v.phase, v.sum, v.err, v.stopped, v.unbuilt = true, phaseReading, nil, "", false, false
	v.last, v.waiting = ingest.Progress{}, nil
	ch := make(chan tea.Msg, 16)
	so := v.opts.Sessions
	loc := v.opts.Location
	readCtx, stop := context.WithCancel(v.ctx)
	// The rebuild must survive the quit that stopped the reading: sessions
	// then match what was stored. Only a forced quit (abandon) ends it.
	buildCtx, abandon := context.WithCancel(context.WithoutCancel(v.ctx))
	read, done := make(chan struct{}), make(chan struct{})
	v.stop, v.abandon, v.read, v.done = stop, abandon, read, done
	go func() {
		defer close(done)
		defer abandon()
		defer stop()
		// The one import operation the CLI and the demo run too (ingest,
		// compaction policy, sessions of the touched hosts); its session
		// step runs under buildCtx, so a stopped reading still gets them.
		var readOnce sync.Once
		endRead := func() { readOnce.Do(func() { close(read) }) }
		st, own, err := v.writable(readCtx, ch)
		if err != nil {
			endRead()
			ch <- importDoneMsg{err: err, reopen: own}
			close(ch)
			return
		}
		sum, err := intake.Run(readCtx, st, []string{path}, intake.Options{
			Ingest: ingest.Options{
				Progress: func(p ingest.Progress) {
					if len(ch) < cap(ch)-importSlack {
						ch <- importProgressMsg{p: p, ch: ch}
					}
				},
				Options: importersOptions(loc),
			},
			Sessions: so,
			Finish:   buildCtx,
			Phase: func(name string) {
				if name == "ingest" {
					return
				}
				endRead()
				if name == "sessions-scan" {
					ch <- importPhaseMsg{phase: phaseRebuilding, ch: ch}
				}
			},
		})
		endRead()
		if own {
			// Closed before the views get the index back read-only; the
			// close tidies what compaction left.
			if ws := v.env.store.take(); ws != nil {
				if cerr := ws.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("close the index after the import: %w", cerr)
				}
			}
		}
		msg := importDoneMsg{sum: sum, err: err, reopen: own}
		switch {
		case err == nil:
		case buildCtx.Err() != nil && errors.Is(err, context.Canceled):
			msg.err, msg.unbuilt, msg.stopped = nil, true, readCtx.Err() != nil
		case sum != nil && readCtx.Err() != nil && errors.Is(err, readCtx.Err()):
			msg.err, msg.stopped = nil, true
		}
		ch <- msg
		close(ch)
	}()
	return waitImport(ch)
}

// cancel stops the reading of a running import: ingest.Run commits what it
// read and the sessions are rebuilt for it.
func (v *importView) cancel() {
	if v.running && v.stop != nil {
		v.stop()
		if v.phase == phaseReading {
			v.phase = phaseStopping
		}
	}
}

// abandonWait bounds how long shutdown waits for an abandoned session
// rebuild to notice. The rebuild is a recorded step (the next command
// finishes it), so leaving it is safe; a quit that hangs is not.
const abandonWait = 5 * time.Second

// shutdown ends a running import at once and returns when the store can be
// closed: always after ingest.Run committed what it read, and after the
// abandoned session rebuild returned, or abandonWait passed. It reports
// whether the import goroutine had finished.
func (v *importView) shutdown() bool {
	if v.done == nil {
		return true
	}
	v.stop()
	v.abandon()
	<-v.read
	select {
	case <-v.done:
		return true
	case <-time.After(abandonWait):
		return false
	}
}

// writable is the store the import writes to: the one the workbench holds
// if that is writable, else the index opened alone (own: the caller closes
// it). The read-only store is given up first: the write lock is not
// granted over a read lock, not even this process's own. While other
// processes hold the index the import waits and says for whom; workbenches
// yield to it.
func (v *importView) writable(ctx context.Context, ch chan tea.Msg) (st *index.Store, own bool, err error) {
	h := v.env.store
	if cur := h.peek(); cur != nil && !cur.ReadOnly() {
		return cur, false, nil
	}
	if ro := h.take(); ro != nil {
		_ = ro.Close() // read-only: nothing to lose
	}
	st, err = index.OpenContext(ctx, v.opts.IndexDir, index.OpenOptions{
		Create: true, Command: v.opts.Command,
		OnWait: func(hs []index.Holder) {
			if len(ch) < cap(ch)-importSlack {
				ch <- importWaitMsg{holders: hs, ch: ch}
			}
		},
	})
	if err != nil {
		// own: the root reopens the index read-only for the views.
		return nil, true, fmt.Errorf("open the index for the import: %w", err)
	}
	h.put(st)
	return st, true, nil
}

func waitImport(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

func (v *importView) Update(msg tea.Msg) (view, tea.Cmd) {
	switch msg := msg.(type) {
	case importProgressMsg:
		v.last, v.waiting = msg.p, nil
		return v, waitImport(msg.ch)
	case importWaitMsg:
		v.waiting = msg.holders
		return v, waitImport(msg.ch)
	case importPhaseMsg:
		v.phase = msg.phase
		return v, waitImport(msg.ch)
	case importDoneMsg:
		v.running, v.waiting = false, nil
		v.stopped, v.unbuilt = msg.stopped, msg.unbuilt
		if msg.err != nil {
			v.err = msg.err.Error()
			return v, nil
		}
		v.sum = msg.sum
		return v, nil
	case tea.KeyMsg:
		if !v.input.Focused() {
			if msg.String() == "enter" || msg.String() == "/" {
				v.input.Focus()
				return v, textinput.Blink
			}
			return v, nil
		}
		switch msg.Type {
		case tea.KeyEnter:
			p := strings.TrimSpace(v.input.Value())
			if p == "" || v.running {
				return v, nil
			}
			if !v.env.store.present() {
				v.err = "another process is writing to the index: import when the workbench has reloaded"
				return v, nil
			}
			v.err = ""
			v.input.Blur()
			return v, v.start(p)
		case tea.KeyEsc:
			v.input.Blur()
			return v, nil
		}
		var cmd tea.Cmd
		v.input, cmd = v.input.Update(msg)
		return v, cmd
	}
	return v, nil
}

func (v *importView) View(w, h int) string {
	lines := []string{v.input.View(), ""}
	if v.running {
		frac := 0.0
		if v.last.BytesTotal > 0 {
			frac = float64(v.last.BytesDone) / float64(v.last.BytesTotal)
		}
		v.bar.Width = max(10, min(60, w-10))
		if v.waiting != nil || (v.last == ingest.Progress{} && v.phase == phaseReading) {
			lines = append(lines, styleCrumb.Render(fit(v.waitText(), w)))
		}
		lines = append(lines, v.bar.ViewAs(frac), fit(fmt.Sprintf("files %d/%d · events %d · %s", v.last.FilesDone, v.last.FilesTotal, v.last.Events, Sanitize(v.last.File)), w))
		if p := v.phaseText(); p != "" {
			lines = append(lines, styleCrumb.Render(fit(p, w)))
		}
	}
	if s := v.sum; s != nil {
		verb := "imported"
		if v.stopped {
			verb = "stopped after"
		}
		lines = append(lines, styleSuccess.Render(fit(fmt.Sprintf("%s %d files: %d events read, %d added, %d already present, %d ignored, %d malformed in %.1fs",
			verb, s.Files, s.Events, s.Added, s.Present, s.Ignored, s.Malformed, s.Seconds), w)))
		if v.unbuilt {
			lines = append(lines, styleFailure.Render(fit("  sessions not rebuilt: the next command that opens the index rebuilds them", w)))
		}
		for _, k := range sortedKeys(s.Formats) {
			lines = append(lines, fit(fmt.Sprintf("  %-12s %d", k, s.Formats[k]), w))
		}
		for _, e := range s.FileErrors {
			lines = append(lines, styleFailure.Render(fit("  "+e, w)))
		}
		for _, a := range s.Assumed {
			lines = append(lines, styleDim.Render(fit("  assumed "+a, w)))
		}
		lines = append(lines, styleDim.Render("the other views now show the new data"))
	}
	return strings.Join(lines, "\n")
}

// waitText says whom the import waits for before it can write.
func (v *importView) waitText() string {
	if v.waiting == nil {
		return "opening the index for writing…"
	}
	return fmt.Sprintf("waiting for %s to release the index…", index.HolderNames(v.waiting))
}

// phaseText names what a running import does once it left the reading.
func (v *importView) phaseText() string {
	switch v.phase {
	case phaseStopping:
		return fmt.Sprintf("stopping import… (%d events so far; what was read is kept)", v.last.Events)
	case phaseRebuilding:
		return "rebuilding sessions…"
	}
	return ""
}

// quitText is the prompt (asking) or progress (quitting) of a quit during
// an import, "" when there is none.
func (v *importView) quitText(asking, quitting bool) string {
	switch {
	case asking && !v.running:
		return "The import finished. Quit? y/n"
	case asking:
		return fmt.Sprintf("An import is running (%d events so far). Quit? It will stop cleanly: what was read is kept and sessions are rebuilt for it. y/n", v.last.Events)
	case quitting:
		if t := v.phaseText(); t != "" {
			return t + " then quitting (ctrl+c quits now)"
		}
	}
	return ""
}

func importersOptions(loc *time.Location) importers.Options {
	return importers.Options{Location: loc}
}

// sortedKeys are a map's keys in order.
func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
