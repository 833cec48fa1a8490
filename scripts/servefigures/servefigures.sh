#!/bin/bash
# servefigures.sh: how curafeed serve fares on a large corpus (Linux).
#
#   scripts/servefigures/servefigures.sh RECORDS [PORT] [serve flags...]
#
# Builds curafeed, copies RECORDS to a scratch folder on /dev/shm (the
# script edits records), starts `curafeed serve` on it and reports:
#   - how long until /all/rss.xml answers, and the peak memory (VmHWM) then;
#   - the reload after each of 3 edits of one record's body, 3 s apart, as
#     `curafeed serve` logs it, and the peak memory after them;
#   - the CPU the server uses over 120 s while nothing changes, 20 s after
#     the last reload (utime+stime from /proc/PID/stat).
# Needs curl and bc. The scratch copy is removed at the end.
set -euo pipefail
RECORDS=${1:?usage: servefigures.sh RECORDS [PORT] [serve flags...]}
PORT=${2:-8111}
shift $(( $# >= 2 ? 2 : 1 ))
REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
. "$(dirname "$0")/lib.sh"
SCRATCH=$(mktemp -d /dev/shm/servefigures.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
(cd "$REPO" && go build -o "$SCRATCH/curafeed" ./cmd/curafeed)
cp -r "$RECORDS" "$SCRATCH/records"
LOG=$SCRATCH/serve.log
start=$(date +%s.%N)
start_serve "$SCRATCH/curafeed" "$SCRATCH/records" "$PORT" "$LOG" "$@"
end=$(date +%s.%N)
echo "first load: answered after $(echo "$end - $start" | bc) s; $(grep VmHWM /proc/$PID/status | tr -s ' \t' ' ')"
sleep 5
F=$(find "$SCRATCH/records" -name '*.md' | LC_ALL=C sort | sed -n 1p)
for k in 1 2 3; do
  # An edit of the body: the item keeps its place in every feed.
  printf '\nEdited %d.\n' "$k" >> "$F"
  sleep 3
done
echo "reloads after the edits (curafeed's log):"
grep " loaded " "$LOG" | tail -3 | sed 's/^/  /'
echo "after the edits: $(grep VmHWM /proc/$PID/status | tr -s ' \t' ' ')"
sleep 20
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14+$15}' /proc/$PID/stat); sleep 120; t1=$(awk '{print $14+$15}' /proc/$PID/stat)
echo "idle for 120 s: $(( t1 - t0 )) ticks of 1/$hz s = $(echo "scale=2; ($t1 - $t0) * 100 / $hz / 120" | bc) % of a core"
