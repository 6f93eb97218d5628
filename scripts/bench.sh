#!/usr/bin/env bash
# make bench: the performance table of issue 8, measured on this machine.
# Generates 1M auth.log lines and 1M Zeek conn.log records, imports them,
# times the questions an analyst asks, and answers the same questions with
# grep and (if installed) lnav for comparison.
#   BENCH_N=200000   smaller data
#   BENCH_DIR=dir    keep data and indexes there (reused: data is not regenerated)
#   BENCH_GO=0       skip the Go benchmarks of parsers and packages
set -euo pipefail
cd "$(dirname "$0")/.."
N="${BENCH_N:-1000000}"
BIN=./bin/sshtrail
WORK="${BENCH_DIR:-$(mktemp -d /tmp/sshtrail-bench.XXXXXX)}"
mkdir -p "$WORK"
py() { python3 -c "$1"; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d)"
echo "data:    $N auth.log lines and $N conn.log records in $WORK"
echo

[ -s "$WORK/auth/auth.log" ] || $BIN gen --auth-lines "$N" --out "$WORK/auth" >/dev/null
[ -s "$WORK/zeek/conn.log" ] || $BIN gen --conn-records "$N" --out "$WORK/zeek" >/dev/null
AUTH="$WORK/auth/auth.log"
CONN="$WORK/zeek/conn.log"

# run_sampled OUT cmd...: runs cmd, stdout to OUT, and sets PEAK_RSS and
# PEAK_ANON (MB). RSS counts Bleve's memory-mapped segment files, which the
# kernel can drop at will; anonymous memory is what the process allocates.
run_sampled() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err" &
  local pid=$! rss=0 anon=0 r a
  while kill -0 "$pid" 2>/dev/null; do
    r=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    a=$(awk '/^RssAnon/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$rss" ] && rss=$r
    [ "${a:-0}" -gt "$anon" ] && anon=$a
    sleep 0.2
  done
  wait "$pid" || true
  PEAK_RSS=$((rss / 1024)); PEAK_ANON=$((anon / 1024))
}

timed_import() { # name idx path...
  local name=$1 idx=$2; shift 2
  rm -rf "$idx"
  # The import users run: index, compact, then rebuild the sessions.
  local w0 w1
  w0=$(date +%s.%N)
  run_sampled "$WORK/import.json" $BIN --index "$idx" import --json "$@"
  w1=$(date +%s.%N)
  local j="$WORK/import.json"
  local events secs eps ssecs
  events=$(py "import json; print(json.load(open('$j'))['events'])")
  # The whole command's wall time, process start to exit.
  secs=$(py "print('%.1f' % ($w1-$w0))")
  eps=$(py "print('%.0f' % ($events/($w1-$w0)))")
  ssecs=$(py "import json; d=json.load(open('$j')); print('%.1f s for %d sessions' % (d.get('sessions_seconds', 0), d.get('sessions', 0)))")
  $BIN --index "$idx" search --count '*' >/dev/null # let Bleve drop merged-away segment files
  local raw idxsz parts p
  raw=$(du -cb "$@" | tail -1 | cut -f1)
  idxsz=$(du -sb "$idx" | cut -f1)
  IMPORT_SECS=$secs
  printf "%-36s %s events in %ss = %s events/s (whole command: index, sessions, compaction; session rebuild %s); peak RSS %d MB (anonymous %d MB); on disk %.2f× raw\n" \
    "import $name" "$events" "$secs" "$eps" "$ssecs" "$PEAK_RSS" "$PEAK_ANON" "$(py "print($idxsz/$raw)")"
  parts=""
  for p in bleve sessions events.zst messages.zst ids frames seqmaps; do
    [ -e "$idx/$p" ] && parts="$parts $p $(py "print('%.3f' % ($(du -sb "$idx/$p" | cut -f1)/$raw))")×"
  done
  echo "    by part (÷ raw):$parts"
}

echo "== import (targets: ≥ 30k events/s, RSS ≤ 512 MB, index ≤ 2× raw)"
timed_import "auth.log ($N lines)" "$WORK/idx-auth" "$AUTH"
timed_import "Zeek conn.log TSV ($N records)" "$WORK/idx-conn" "$CONN"
# The baseline: one Bleve document per line, Bleve's default mapping.
rm -rf "$WORK/naive"
t0=$(date +%s.%N)
$BIN bench-naive "$AUTH" "$WORK/naive" >"$WORK/naive.out"
t1=$(date +%s.%N)
echo "naive Bleve, one document per auth.log line: $(cat "$WORK/naive.out"); $(py "print('%.0f' % ($(du -sb "$WORK/naive" | cut -f1) / 1048576))") MB"
timed_import "auth.log again, same run as naive" "$WORK/idx-auth2" "$AUTH"
echo "sshtrail import ÷ naive Bleve import (wall time, same file, same run): $(py "print('%.1f' % (($t1-$t0)/$IMPORT_SECS))")× faster"
rm -rf "$WORK/naive" "$WORK/idx-auth2"
echo

echo "== queries over the auth.log index (targets: open+first page ≤ 300 ms, term/boolean p50 ≤ 20 ms, facets/sorted page p50 ≤ 100 ms)"
$BIN --index "$WORK/idx-auth" bench-queries | column -t -s $'\t'
echo

echo "== TUI keystroke on the auth.log index (target: p50 ≤ 100 ms)"
SSHTRAIL_BENCH_INDEX="$WORK/idx-auth" go test ./tui -run '^$' -bench Keystroke -benchtime 30x 2>/dev/null | grep -E '^Benchmark' |
  awk '{for (i=2;i<=NF;i++) if ($(i) ~ /^ms\//) printf "%s %s  ", $(i-1), $(i); print ""}'
echo

echo "== detect, whole catalogue (target ≤ 10 s)"
t0=$(date +%s.%N)
run_sampled "$WORK/detect.out" $BIN --index "$WORK/idx-auth" detect
t1=$(date +%s.%N)
echo "detect: $(py "print('%.1f' % ($t1-$t0))") s, peak RSS $PEAK_RSS MB (anonymous $PEAK_ANON MB); $(tail -1 "$WORK/detect.out.err")"
echo

echo "== the same questions by re-reading the logs"
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >"$WORK/q.out" 2>/dev/null || true; t1=$(date +%s.%N); py "print('%.3f' % ($t1-$t0))"; }
gs=$(secs grep -c 'Failed password' "$AUTH"); g=$(cat "$WORK/q.out")
ss=$(secs $BIN --index "$WORK/idx-auth" search --count 'action:auth_failure method:password'); s=$(cat "$WORK/q.out")
echo "count failed passwords:  grep -c $g lines in ${gs}s; sshtrail search --count $s events in ${ss}s (process start and index open included; grep/sshtrail $(py "print('%.1f' % ($gs/$ss))")×)"
ts=$(secs $BIN --index "$WORK/idx-auth" search --count '"Failed password"'); tc=$(cat "$WORK/q.out")
echo "free text, phrase \"Failed password\": grep -c $g lines in ${gs}s; sshtrail search --count (message scan) $tc events in ${ts}s (sshtrail/grep $(py "print('%.1f' % ($ts/$gs))")×; target ≤ 2.5×)"
fs=$(secs $BIN --index "$WORK/idx-auth" search --limit 50 '*')
echo "open the case, first page: sshtrail search --limit 50 in ${fs}s"
if command -v lnav >/dev/null; then
  ls_=$(secs lnav -n -c ";SELECT count(*) FROM all_logs WHERE log_body LIKE '%Failed password%'" "$AUTH"); l=$(tail -1 "$WORK/q.out")
  lo=$(secs lnav -n -c ";SELECT count(*) FROM all_logs" "$AUTH")
  echo "lnav -n -c (SQL count of failed passwords): $l in ${ls_}s (lnav/sshtrail $(py "print('%.0f' % ($ls_/$ss))")×)"
  echo "lnav load + count lines (what every lnav start costs): ${lo}s (lnav/sshtrail first page $(py "print('%.0f' % ($lo/$fs))")×)"
else
  echo "lnav not installed (apt-get install lnav): skipped"
fi
echo

if [ "${BENCH_GO:-1}" = 1 ]; then
  echo "== Go benchmarks (parsers, index, sessions, detect, TUI)"
  go test -run '^$' -bench . -benchtime 1x ./... 2>/dev/null | grep -E '^Benchmark' |
    awk '{ line=$1; for (i=2;i<=NF;i++) if ($(i) ~ /events\/s|lines\/s|records\/s|ms\/op|ms\/keystroke|ns\/op/) line=line"  "$(i-1)" "$(i); print line }'
fi
[ -z "${BENCH_DIR:-}" ] && rm -rf "$WORK"
exit 0
