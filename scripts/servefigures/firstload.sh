#!/bin/bash
# firstload.sh: how long `curafeed serve` takes to answer its first request (Linux).
#
#   scripts/servefigures/firstload.sh CURAFEED_BINARY RECORDS [PORT [serve flags...]]
#
# Starts the given curafeed binary's serve command on RECORDS (without
# watching them, with the serve flags given), waits until /all/rss.xml
# answers 200, and prints one line: the seconds until then, the CPU the
# process used by then (utime+stime, in ticks of 1/CLK_TCK s), its peak
# memory (VmHWM, kB), and how long it took to stop after SIGTERM (with
# -cache, that includes saving the served feeds). Run two binaries in
# alternation to compare them (see BENCHMARKS.md); run twice with the same
# -cache DIR to time a restart.
# Needs curl and bc.
set -euo pipefail
BIN=${1:?usage: firstload.sh CURAFEED_BINARY RECORDS [PORT [serve flags...]]}
RECORDS=${2:?usage: firstload.sh CURAFEED_BINARY RECORDS [PORT [serve flags...]]}
PORT=${3:-8112}
shift $(( $# >= 3 ? 3 : 2 ))
. "$(dirname "$0")/lib.sh"
LOG=$(mktemp)
trap 'kill $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
start=$(date +%s.%N)
start_serve "$BIN" "$RECORDS" "$PORT" "$LOG" -interval 0 "$@"
end=$(date +%s.%N)
ticks=$(awk '{print $14+$15}' /proc/$PID/stat)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
stop=$(date +%s.%N)
kill -TERM $PID
wait $PID || true
stopped=$(date +%s.%N)
echo "$(basename "$BIN"): answered after $(echo "$end - $start" | bc) s, CPU $ticks ticks of 1/$(getconf CLK_TCK) s, VmHWM $hwm kB, stopped in $(echo "$stopped - $stop" | bc) s"
grep -o 'files [0-9]* ([0-9]* rendered' "$LOG" | head -n 1 || true
