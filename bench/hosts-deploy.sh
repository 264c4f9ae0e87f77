#!/usr/bin/env bash
# Figures of issue 6: the wall time of a 3-host rolling deploy of examples/myapp, split into
# upload, switch, restart and gate (as 'slipway deploy' prints it), and the time of a fleet
# rollback. Boots three nspawn hosts with testbed/hosts.sh (prefix hb, 127.0.1.17-19; root),
# deploys v1 (fresh hosts), v2 (upload + rolling restart), v2 again (no upload), then rolls back.
#
#   bench/hosts-deploy.sh [RUNS]      # RUNS deploys of v2<->v1 without upload (default 3)
#
# Output: Markdown on stdout; progress on stderr. Run on an otherwise idle machine.
set -euo pipefail
runs=${1:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/slipway-bench-hosts.XXXXXX)
trap 'bash "$repo/testbed/hosts.sh" down --prefix hb >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bash "$repo/testbed/hosts.sh" prepare >&2
bash "$repo/testbed/hosts.sh" up 3 --prefix hb --base 127.0.1.17 >&2
svc=$work/myapp
cp -r "$repo/examples/myapp" "$svc"
rm -rf "$svc/target" "$svc/dist" "$svc/.slipway" "$svc/data"
key=${SLIPWAY_HOSTS_CACHE:-/var/cache/slipway-testbed/hosts}/id_ed25519
known=${SLIPWAY_HOSTS_RUN:-/run/slipway-testbed}/hb/known_hosts
cat > "$svc/slipway.yaml" <<YAML
name: myapp
build:
  jvmOptions: ["-XX:+ExitOnOutOfMemoryError"]
service:
  port: 18090
  drainTimeout: 5s
  readiness: {path: /health/ready, interval: 100ms, timeout: 60s}
deploy:
  hosts:
    identityFile: $key
    knownHosts: $known
    servers:
      - {name: hb1, address: 127.0.1.17, bind: 127.0.1.17}
      - {name: hb2, address: 127.0.1.18, bind: 127.0.1.18}
      - {name: hb3, address: 127.0.1.19, bind: 127.0.1.19}
YAML
(cd "$svc" && git init -q && git add . && git -c user.name=bench -c user.email=bench@slipway.invalid commit -qm bench)
sw="$repo/slipway"
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
}
echo "| deploy | wall time | slipway's split |"
echo "|---|---|---|"
use 1; run "v1 to 3 fresh hosts (upload, first start)" "$sw" deploy "$svc" --to hosts
use 2; run "v2, batch 1 (upload, rolling restart)" "$sw" deploy "$svc" --to hosts
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) = 1 ]; then v=1; else v=2; fi
  use $v; run "v$v, batch 1, already uploaded (run $i)" "$sw" deploy "$svc" --to hosts
done
run "fleet rollback (slipway rollback --target hosts)" "$sw" rollback "$svc" --target hosts
