#!/usr/bin/env bash
# make bench: the performance table of issue 8, measured on this machine.
# Generates 1M auth.log lines and 1M Zeek conn.log records, imports them,
# times the questions an analyst asks, and answers the same questions with
# grep and (if installed) lnav for comparison. BENCH_N overrides the size.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_N:-1000000}"
BIN=./bin/sshtrail
WORK="${BENCH_DIR:-$(mktemp -d /tmp/sshtrail-bench.XXXXXX)}"
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d)"
echo "data:    $N auth.log lines and $N conn.log records in $WORK"
echo

$BIN gen --auth-lines "$N" --out "$WORK/auth" >/dev/null
$BIN gen --conn-records "$N" --out "$WORK/zeek" >/dev/null
AUTH="$WORK/auth/auth.log"
CONN="$WORK/zeek/conn.log"

timed_import() { # name idx path...
  local name=$1 idx=$2; shift 2
  rm -rf "$idx"
  local out
  out=$( { /usr/bin/time -f "RSS %M" $BIN --index "$idx" import --no-sessions --json "$@" ; } 2>&1 )
  local rss eps events secs
  rss=$(echo "$out" | awk '/^RSS/ {print $2}')
  events=$(echo "$out" | grep '^{' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events"])')
  secs=$(echo "$out" | grep '^{' | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f" % d["seconds"])')
  eps=$(echo "$out" | grep '^{' | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f" % d["events_per_sec"])')
  local raw idxsz
  raw=$(du -cb "$@" | tail -1 | cut -f1)
  idxsz=$(du -sb "$idx" | cut -f1)
  printf "%-44s %s events in %ss = %s events/s, peak RSS %d MB, index %.2f× raw\n" "import $name" "$events" "$secs" "$eps" $((rss/1024)) "$(python3 -c "print($idxsz/$raw)")"
}

echo "== import (target ≥ 30k events/s, RSS ≤ 512 MB, index ≤ 2× raw)"
timed_import "auth.log ($N lines)" "$WORK/idx-auth" "$AUTH"
timed_import "Zeek conn.log TSV ($N records)" "$WORK/idx-conn" "$CONN"
echo

echo "== session rebuild after the auth.log import"
/usr/bin/time -f "sessions --rebuild: %e s, peak RSS %M KB" $BIN --index "$WORK/idx-auth" sessions --rebuild --host nosuchhost 2>&1 | grep -E "rebuilt|sessions --rebuild"
echo

echo "== queries over the auth.log index (targets: open+first page ≤ 300 ms, term p50 ≤ 20 ms, facets/sorted page p50 ≤ 100 ms)"
$BIN --index "$WORK/idx-auth" bench-queries | column -t -s $'\t'
echo

echo "== detect, whole catalogue (target ≤ 10 s)"
/usr/bin/time -f "detect: %e s, peak RSS %M KB" $BIN --index "$WORK/idx-auth" detect >/dev/null 2>"$WORK/detect.err" || true
tail -1 "$WORK/detect.err"
echo

echo "== the same question by re-reading the logs: failed passwords"
t0=$(date +%s.%N); g=$(grep -c 'Failed password' "$AUTH"); t1=$(date +%s.%N)
gs=$(python3 -c "print('%.3f' % ($t1-$t0))")
t0=$(date +%s.%N); s=$($BIN --index "$WORK/idx-auth" search --count 'action:auth_failure method:password'); t1=$(date +%s.%N)
ss=$(python3 -c "print('%.3f' % ($t1-$t0))")
echo "grep -c 'Failed password'           $g lines in ${gs}s"
echo "sshtrail search --count             $s events in ${ss}s (process start + index open included; ratio grep/sshtrail $(python3 -c "print('%.1f' % ($gs/$ss))"))"
if command -v lnav >/dev/null; then
  t0=$(date +%s.%N)
  l=$(lnav -n -c ";SELECT count(*) FROM all_logs WHERE log_body LIKE '%Failed password%'" "$AUTH" 2>/dev/null | tail -1 || true)
  t1=$(date +%s.%N)
  ls_=$(python3 -c "print('%.3f' % ($t1-$t0))")
  echo "lnav -n -c (SQL count)              $l in ${ls_}s (ratio lnav/sshtrail $(python3 -c "print('%.1f' % ($ls_/$ss))"))"
else
  echo "lnav not installed (apt-get install lnav) — skipped"
fi
echo

if [ "${BENCH_GO:-1}" = 1 ]; then
echo "== Go benchmarks (parsers, index, sessions, detect, TUI)"
go test -run '^$' -bench . -benchtime 1x ./... 2>/dev/null | grep -E '^Benchmark' | awk '{ line=$1; for (i=2;i<=NF;i++) if ($(i) ~ /events\/s|lines\/s|ms\/op|ns\/op/) line=line"  "$(i-1)" "$(i); print line }'
fi
[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
exit 0
