package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/sshtrail/sshtrail/index"
	"github.com/sshtrail/sshtrail/sessions"
)

// app is what every command shares: the resolved configuration.
type app struct {
	v          *viper.Viper
	configFile string // the file in use ("" if none)
	// ctx, errOut and command are the running command's (set before it
	// runs); command names this process to others waiting for the index.
	ctx     context.Context
	errOut  io.Writer
	command string
}

func newRoot() *cobra.Command {
	a := &app{v: viper.New()}
	root := &cobra.Command{
		Use:   "sshtrail",
		Short: "Investigate SSH activity (ATT&CK T1021.004) in auth, journald, macOS, Zeek and auditd logs",
		Long: `sshtrail loads a case's logs into a local search index, rebuilds SSH sessions,
pivots on users, hosts and addresses, and runs detections — offline, in a terminal.

Configuration precedence: flags > SSHTRAIL_* environment > config file > defaults.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.ctx, a.errOut, a.command = cmd.Context(), cmd.ErrOrStderr(), cmd.CommandPath()
			if a.ctx == nil {
				a.ctx = context.Background()
			}
			return a.load(cmd)
		},
	}
	pf := root.PersistentFlags()
	pf.String("index", "", "index directory (default $XDG_DATA_HOME/sshtrail/index)")
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/sshtrail/config.yaml)")
	pf.String("tz", "UTC", "time zone for timestamps without one, and for display")
	a.v.BindPFlag("index", pf.Lookup("index"))
	a.v.BindPFlag("tz", pf.Lookup("tz"))
	a.v.SetEnvPrefix("SSHTRAIL")
	a.v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	a.v.AutomaticEnv()

	// Every command, one file each (help lists them sorted).
	root.AddCommand(
		a.importCmd(),
		a.searchCmd(),
		a.sessionsCmd(),
		a.pivotCmd(),
		a.pathsCmd(),
		a.detectCmd(),
		a.rulesCmd(),
		a.profileCmd(),
		a.queriesCmd(),
		a.exportCmd(),
		a.tuiCmd(),
		a.demoCmd(),
		a.genCmd(),
		a.benchQueriesCmd(),
		a.benchNaiveCmd(),
	)
	return root
}

func xdg(env, fallback string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "sshtrail")
	}
	return filepath.Join(home, fallback)
}

func (a *app) load(cmd *cobra.Command) error {
	file, _ := cmd.Flags().GetString("config")
	if file == "" {
		file = os.Getenv("SSHTRAIL_CONFIG")
	}
	explicit := file != ""
	if file == "" {
		file = filepath.Join(xdg("XDG_CONFIG_HOME", ".config"), "sshtrail", "config.yaml")
	}
	if _, err := os.Stat(file); err != nil {
		if explicit {
			return fmt.Errorf("config %s: %w", file, err)
		}
		return nil
	}
	a.v.SetConfigFile(file)
	a.v.SetConfigType("yaml")
	if err := a.v.ReadInConfig(); err != nil {
		return fmt.Errorf("config %s: %w", file, err)
	}
	a.configFile = file
	return nil
}

func (a *app) indexDir() string {
	if d := a.v.GetString("index"); d != "" {
		return d
	}
	return filepath.Join(xdg("XDG_DATA_HOME", ".local/share"), "sshtrail", "index")
}

func (a *app) location() (*time.Location, error) {
	tz := a.v.GetString("tz")
	if tz == "" || strings.EqualFold(tz, "utc") {
		return time.UTC, nil
	}
	if tz == "Local" || tz == "local" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: %w", tz, err)
	}
	return loc, nil
}

// phase says on stderr that a step of a long command starts, when
// SSHTRAIL_TRACE_PHASES is set: the crash tests kill at these points, and
// it shows where a slow import spends its time.
func (a *app) phase(name string) {
	if os.Getenv("SSHTRAIL_TRACE_PHASES") != "" {
		fmt.Fprintf(a.errOut, "phase %s %s\n", name, time.Now().UTC().Format("15:04:05.000"))
	}
}

// finishSessions rebuilds the sessions of the hosts that got events since
// the last rebuild, saying so on w (stderr; nothing under the workbench's
// screen) when there were any.
func (a *app) finishSessions(s *index.Store, w io.Writer) (*sessions.Stats, error) {
	t, err := s.Touched()
	if err != nil {
		return nil, err
	}
	if t.Empty() {
		return nil, nil
	}
	what := "all hosts"
	if hosts := sessions.Pending(t); hosts != nil {
		what = fmt.Sprintf("%d host(s)", len(hosts))
	}
	fmt.Fprintf(w, "finishing the session rebuild an earlier import left undone (%s)...\n", what)
	st, _, err := sessions.Finish(a.ctx, s, a.sessionOptions())
	if err != nil {
		return nil, fmt.Errorf("sessions are out of date and the rebuild failed (run `sshtrail sessions --rebuild`): %w", err)
	}
	fmt.Fprintf(w, "sessions up to date: %d in the index (%.1fs)\n", st.Sessions, st.Took.Seconds())
	return st, nil
}
