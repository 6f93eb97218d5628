#!/usr/bin/env bash
# Runs every fuzz target in the module for FUZZTIME each (default 60s).
# go test -fuzz accepts one target per run, so targets run one after another.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-60s}"
status=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func \(Fuzz[A-Za-z0-9_]*\)' "$dir"/*_test.go 2>/dev/null | awk '{print $2}' | sed 's/(.*//' | sort -u); do
    echo "== $pkg $target ($t)"
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg" 2>&1 | tail -3; then
      status=1
    fi
  done
done
exit $status
