#!/usr/bin/env bash
# Figures of issues 6 and 18: the wall time of a 3-host rolling deploy of examples/myapp, split
# per step kind (as 'slipway deploy' prints it: upload, prepare, switch/restart or start/proxy/stop,
# gate; on the critical path, what the user waits for: hosts that run a step at once count once,
# and a stop run in the background only for the time the deploy waits for it to end; and summed
# over the hosts), the time of a fleet rollback, and a
# deploy and rollback of one server (--role one). Boots three nspawn hosts with testbed/hosts.sh
# (prefix hb, 127.0.1.17-19; root), deploys v1 (fresh hosts), v2 (upload + rollout), v1/v2 again
# (no upload), then rolls back.
#
#   bench/hosts-deploy.sh [RUNS]                   # RUNS deploys of v2<->v1 without upload (default 3)
#   STRATEGY=proxy bench/hosts-deploy.sh [RUNS]    # deploy.hosts.rollout.strategy (default restart)
#   PREFIX=hq BASE=127.0.9.17 bench/hosts-deploy.sh  # other host names and addresses (default hb,
#                                                    # 127.0.1.17-19), to run beside another bench
#   TRACE=1 bench/hosts-deploy.sh                    # adds each run's 'slipway --debug' timing trace
#                                                    # (process start -> config -> connect -> steps -> exit)
#   SLIPWAY=/path/to/slipway bench/hosts-deploy.sh   # times that Slipway (e.g. the single file of
#                                                    # 'slipway release', as install.sh installs it)
#                                                    # instead of this checkout's ./slipway launcher;
#                                                    # the builds still use ./slipway (not timed)
#   SLIPWAY_B=/path/to/other/slipway bench/hosts-deploy.sh
#                                                    # A/B: each already-uploaded deploy and the fleet
#                                                    # rollback run once with SLIPWAY (A) and once with
#                                                    # SLIPWAY_B (B), interleaved, so both see the same load
#
# Output: Markdown on stdout; progress on stderr. Run on an otherwise idle machine.
set -euo pipefail
runs=${1:-3}
strategy=${STRATEGY:-restart}
prefix=${PREFIX:-hb}
base=${BASE:-127.0.1.17}
net=${base%.*}
first=${base##*.}
a1=$net.$first a2=$net.$((first + 1)) a3=$net.$((first + 2))
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/slipway-bench-hosts.XXXXXX)
trap 'bash "$repo/testbed/hosts.sh" down --prefix "$prefix" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bash "$repo/testbed/hosts.sh" prepare >&2
bash "$repo/testbed/hosts.sh" up 3 --prefix "$prefix" --base "$base" >&2
svc=$work/myapp
cp -r "$repo/examples/myapp" "$svc"
rm -rf "$svc/target" "$svc/dist" "$svc/.slipway" "$svc/data"
key=${SLIPWAY_HOSTS_CACHE:-/var/cache/slipway-testbed/hosts}/id_ed25519
known=${SLIPWAY_HOSTS_RUN:-/run/slipway-testbed}/$prefix/known_hosts
cat > "$svc/slipway.yaml" <<YAML
name: myapp
build:
  jvmOptions: ["-XX:+ExitOnOutOfMemoryError"]
service:
  port: 18090
  drainTimeout: 5s
  readiness: {path: /health/ready, interval: 100ms, timeout: 60s}
  env: {DATA_DIR: "data-\${PORT}"}   # two instances side by side each lock their own H2 file
deploy:
  hosts:
    identityFile: $key
    knownHosts: $known
    servers:
      - {name: ${prefix}1, address: $a1, bind: $a1, roles: [one]}
      - {name: ${prefix}2, address: $a2, bind: $a2}
      - {name: ${prefix}3, address: $a3, bind: $a3}
    rollout: {strategy: $strategy}
YAML
(cd "$svc" && git init -q && git add . && git -c user.name=bench -c user.email=bench@slipway.invalid commit -qm bench)
sw="$repo/slipway"
# The Slipway whose deploys are timed; a single file's first run (unpack, class-data archive) is
# made before the timing, as install.sh makes it.
timed=${SLIPWAY:-$sw}
if [ "$timed" != "$sw" ]; then
  SLIPWAY_PREPARE=1 "$timed" >&2
fi
timed_b=${SLIPWAY_B:-}
if [ -n "$timed_b" ]; then
  SLIPWAY_PREPARE=1 "$timed_b" >&2
fi
dbg=()
if [ -n "${TRACE:-}" ]; then dbg=(--debug); fi
"$sw" build "$svc" --version 1.0.0 >&2
cp -r "$svc/dist" "$work/dist-1"
"$sw" build "$svc" --version 2.0.0 --no-compile >&2
cp -r "$svc/dist" "$work/dist-2"
use() { rm -rf "$svc/dist"; cp -r "$work/dist-$1" "$svc/dist"; }

# Prints one table row from the 'timing:' line of a deploy and its wall time.
row() {
  local label=$1 wall=$2 log=$3
  local t
  t=$(grep '^timing:' "$log" | sed 's/timing: //')
  echo "| $label | $wall | $t |"
}
run() {
  local label=$1; shift
  local log=$work/log.$RANDOM start end
  start=$(date +%s%N)
  "$@" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  end=$(date +%s%N)
  row "$label" "$(awk -v d=$((end - start)) 'BEGIN { printf "%.1f s", d / 1e9 }')" "$log"
  if [ -n "${TRACE:-}" ]; then
    { echo "$label:"; echo; grep '^trace ' "$log" | sed 's/^/    /' || true; echo; } >>"$work/traces"
  fi
}
echo "Slipway timed: $("$timed" version | head -n 1) ($([ "$timed" = "$sw" ] && echo "./slipway launcher" || echo "$timed"))"
if [ -n "$timed_b" ]; then
  echo "A/B: rows marked [B] time $("$timed_b" version | head -n 1) ($timed_b); the others A"
fi
echo "strategy $strategy; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| deploy | wall time | slipway's split |"
echo "|---|---|---|"
use 1; run "v1 to 3 fresh hosts (upload, first start)" "$timed" "${dbg[@]}" deploy "$svc" --to hosts
use 2; run "v2, batch 1 (upload, rolling restart)" "$timed" "${dbg[@]}" deploy "$svc" --to hosts
for i in $(seq 1 "$runs"); do
  # A/B: A deploys v1 over v2 and B v2 over v1, so each run is a rollout
  if [ $((i % 2)) = 1 ] || [ -n "$timed_b" ]; then v=1; else v=2; fi
  use $v; run "v$v, batch 1, already uploaded (run $i)" "$timed" "${dbg[@]}" deploy "$svc" --to hosts
  if [ -n "$timed_b" ]; then
    use 2; run "[B] v2, batch 1, already uploaded (run $i)" "$timed_b" "${dbg[@]}" deploy "$svc" --to hosts
  fi
done
run "fleet rollback (slipway rollback --to hosts)" "$timed" "${dbg[@]}" rollback "$svc" --to hosts
if [ -n "$timed_b" ]; then
  run "[B] fleet rollback (slipway rollback --to hosts)" "$timed_b" "${dbg[@]}" rollback "$svc" --to hosts
fi
use 1; run "one server: deploy v1 (--role one, already uploaded)" "$timed" "${dbg[@]}" deploy "$svc" --to hosts --role one
run "one server: rollback (--role one)" "$timed" "${dbg[@]}" rollback "$svc" --to hosts --role one
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${TRACE:-}" ]; then
  echo
  echo "Traces (--debug):"
  echo
  cat "$work/traces"
fi
