# lib.sh: what servefigures.sh and firstload.sh share; source it.

# start_serve BINARY RECORDS PORT LOG [serve flags...] starts BINARY's serve
# command on RECORDS at 127.0.0.1:PORT, logging to LOG, sets PID, and
# returns once /all/rss.xml answers 200 (it exits, printing the log, if the
# server stops first).
start_serve() {
  local bin=$1 records=$2 port=$3 log=$4
  shift 4
  "$bin" serve -records "$records" -site "http://127.0.0.1:$port" -addr "127.0.0.1:$port" "$@" >"$log" 2>&1 &
  PID=$!
  until curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/all/rss.xml" 2>/dev/null | grep -q 200; do
    kill -0 "$PID" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
}
