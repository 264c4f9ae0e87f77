#!/usr/bin/env bash
# Figures of issue 17: requests refused or failed during a local deploy and a local rollback of
# examples/myapp under load on loopback. One port, no proxy yet (issue 18): the old process is
# stopped before the new one starts, after the new release was prepared, so the window is the
# old process's drain plus the new one's warm start.
#
#   bench/local-deploy.sh [SLIPWAY [BEFORE]]   # SLIPWAY: the CLI to measure (default: ./slipway
#                                              # here); BEFORE: another CLI measured the same way
#                                              # with the same builds (e.g. a checkout of main)
#
# Builds myapp 1.0.0 and 2.0.0 into a temporary copy, deploys 1.0.0, then deploys 2.0.0 and rolls
# back to 1.0.0, each under 'wrk -t1 -c4 -d15s' started when the command has prepared its release
# (what follows is the switch, the restart and the gate). wrk's socket errors (connect: refused; read/write/timeout) and
# non-2xx answers are the failed requests. Output: Markdown on stdout; progress on stderr.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
sw=${1:-$repo/slipway}
work=$(mktemp -d /tmp/slipway-bench-local.XXXXXX)
svc=$work/myapp
trap '"$sw" stop "$svc" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -r "$repo/examples/myapp" "$svc"
rm -rf "$svc/target" "$svc/dist" "$svc/.slipway" "$svc/data"
port=18097
sed -i "s/^  port: .*/  port: $port/" "$svc/slipway.yaml"
grep -q "port: $port" "$svc/slipway.yaml" || { echo "cannot set the port in $svc/slipway.yaml" >&2; exit 1; }
(cd "$svc" && git init -q && git add . && git -c user.name=bench -c user.email=bench@slipway.invalid commit -qm bench)
"$sw" build "$svc" --version 1.0.0 >&2
cp -r "$svc/dist" "$work/dist-1"
"$sw" build "$svc" --version 2.0.0 --no-compile >&2
cp -r "$svc/dist" "$work/dist-2"
use() { rm -rf "$svc/dist"; cp -r "$work/dist-$1" "$svc/dist"; }
use 1
"$sw" deploy "$svc" >&2

# One measured run: the command runs; as soon as it says its release is prepared (the next steps
# are the switch and the restart: the window without a listener), wrk runs for 15 s. Prints a row.
measure() {
  local label=$1; shift
  local out=$work/wrk.$RANDOM log=$work/cmd.$RANDOM load t0 t1
  load=$(uptime | sed 's/.*load average: //')
  t0=$(date +%s%N)
  "$@" >"$log" 2>&1 &
  local cmd_pid=$!
  until grep -q "  prepared \|cannot be prepared" "$log" 2>/dev/null; do
    kill -0 $cmd_pid 2>/dev/null || break
    sleep 0.05
  done
  # wrk exits 1 when its first connections are refused (the old CLI stops the service at once):
  # that is a result, not a failure of this script.
  wrk -t1 -c4 -d15s "http://127.0.0.1:$port/health/live" >"$out" 2>&1 || true
  wait $cmd_pid || { cat "$log" >&2; exit 1; }
  t1=$(date +%s%N)
  local total errors non2xx
  total=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out")
  errors=$(sed -n 's/^ *Socket errors: //p' "$out")
  non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: //p' "$out")
  grep -q "unable to connect" "$out" && errors="wrk could not connect at its start: $(head -1 "$out")"
  echo "| $label | $(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f s", d / 1e9 }') | ${total:-?} | ${errors:-none} | ${non2xx:-0} | $load |"
  grep -E "stopping|ready after|prepared " "$log" >&2 || true
  cat "$out" >&2
}
echo "| command | its wall time | requests in 15 s | socket errors (wrk) | non-2xx | load average before (uptime) |"
echo "|---|---|---|---|---|---|"
use 2
measure "deploy 2.0.0 (1.0.0 serving)" "$sw" deploy "$svc"
measure "rollback to 1.0.0" "$sw" rollback "$svc" --to 1.0.0
if [ -n "${2:-}" ]; then
  "$sw" stop "$svc" >&2
  rm -rf "$svc/.slipway/local"
  use 1
  "$2" deploy "$svc" >&2
  use 2
  measure "BEFORE: deploy 2.0.0 (1.0.0 serving)" "$2" deploy "$svc"
  measure "BEFORE: rollback to 1.0.0" "$2" rollback "$svc" --to 1.0.0
  "$2" stop "$svc" >&2
fi
