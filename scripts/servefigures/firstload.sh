#!/bin/bash
# firstload.sh: how long `curafeed serve` takes to answer its first request (Linux).
#
#   scripts/servefigures/firstload.sh CURAFEED_BINARY RECORDS [PORT]
#
# Starts the given curafeed binary's serve command on RECORDS (without
# watching them), waits until /all/rss.xml answers 200, and prints one line:
# the seconds until then, the CPU the process used by then (utime+stime, in
# ticks of 1/CLK_TCK s) and its peak memory (VmHWM, kB); then stops it.
# Run two binaries in alternation to compare them (see BENCHMARKS.md).
# Needs curl and bc.
set -euo pipefail
BIN=${1:?usage: firstload.sh CURAFEED_BINARY RECORDS [PORT]}
RECORDS=${2:?usage: firstload.sh CURAFEED_BINARY RECORDS [PORT]}
PORT=${3:-8112}
LOG=$(mktemp)
trap 'kill $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
start=$(date +%s.%N)
"$BIN" serve -records "$RECORDS" -site "http://127.0.0.1:$PORT" -addr "127.0.0.1:$PORT" -interval 0 >"$LOG" 2>&1 &
PID=$!
until curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/all/rss.xml" 2>/dev/null | grep -q 200; do
  kill -0 $PID 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.1
done
end=$(date +%s.%N)
ticks=$(awk '{print $14+$15}' /proc/$PID/stat)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
echo "$(basename "$BIN"): answered after $(echo "$end - $start" | bc) s, CPU $ticks ticks of 1/$(getconf CLK_TCK) s, VmHWM $hwm kB"
