// Command sshtrail is a terminal workbench for investigating SSH activity.
// This package is thin: cobra commands, viper configuration and wiring.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
)

func main() {
	// The index and exports hold sensitive data: nothing we create is
	// readable by others.
	syscall.Umask(0o077)
	tuneGC()
	// SIGINT/SIGTERM cancel the command's context: an import stops within
	// one read and commits what it read. The first signal also restores the
	// default handling, so a second one kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	// SSHTRAIL_CPUPROFILE=file profiles any command (performance work, issue 8).
	if p := os.Getenv("SSHTRAIL_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if err := newRoot().ExecuteContext(ctx); err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			if !strings.HasPrefix(err.Error(), "interrupted") {
				err = fmt.Errorf("interrupted: %w", err)
			}
			fmt.Fprintln(os.Stderr, "sshtrail:", err)
			os.Exit(130) // as shells report a command ended by SIGINT
		}
		fmt.Fprintln(os.Stderr, "sshtrail:", err)
		os.Exit(1)
	}
}
