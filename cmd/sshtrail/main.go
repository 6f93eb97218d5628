// Command sshtrail is a terminal workbench for investigating SSH activity.
// This package is thin: cobra commands, viper configuration and wiring.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	// The index and exports hold sensitive data: nothing we create is
	// readable by others.
	syscall.Umask(0o077)
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// SSHTRAIL_CPUPROFILE=file profiles any command (performance work, issue 8).
	if p := os.Getenv("SSHTRAIL_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if err := newRoot().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sshtrail:", err)
		os.Exit(1)
	}
}
