#!/usr/bin/env bash
# Figures of issues 17 and 18: requests refused or failed during a local deploy and a local
# rollback of examples/myapp under load on loopback. First without a proxy: the old process is
# stopped before the new one starts, after the new release was prepared, so the window is the
# old process's drain plus the new one's warm start. Then (when nginx is installed) with nginx on
# loopback in front (deploy.local.proxy): the new release starts beside the old one and nginx is
# switched to it; wrk goes through nginx. The site's server block has keepalive_timeout 0 (a
# reload closes the idle keep-alive connections of nginx's old workers: docs/local-deploy.md).
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
  wrk -t1 -c4 -d15s "http://127.0.0.1:${front:-$port}/health/live" >"$out" 2>&1 || true
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
measure "rollback to 1.0.0" "$sw" rollback "$svc" --version 1.0.0
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
if command -v nginx >/dev/null; then
  # The same with nginx in front: its site includes the upstream file slipway renders.
  "$sw" stop "$svc" >&2
  rm -rf "$svc/.slipway/local"
  front=18099
  ng=$work/nginx
  mkdir -p "$ng"
  echo "upstream myapp { server 127.0.0.1:$port; }" > "$ng/upstream.conf"
  { [ "$(id -u)" = 0 ] && echo "user root;"
    echo "worker_processes 1; pid $ng/nginx.pid; error_log $ng/error.log;"
    echo "events { worker_connections 256; }"
    echo "http { access_log off; client_body_temp_path $ng/body; proxy_temp_path $ng/proxy;"
    echo "  include $ng/upstream.conf;"
    echo "  server { listen 127.0.0.1:$front; keepalive_timeout 0;"
    echo "    location / { proxy_pass http://myapp; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_next_upstream off; } } }"
  } > "$ng/nginx.conf"
  nginx -p "$ng" -c "$ng/nginx.conf"
  trap 'nginx -p "$ng" -c "$ng/nginx.conf" -s stop 2>/dev/null || true; "$sw" stop "$svc" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  # Under deploy.local (myapp's slipway.yaml has that section).
  sed -i "/^  local:\$/a\\    proxy: {config: \"$ng/upstream.conf\", listen: \"127.0.0.1:$front\", ports: [$port, $((port + 1))], test: \"nginx -p $ng -c $ng/nginx.conf -t -q\", reload: \"nginx -p $ng -c $ng/nginx.conf -s reload\"}" "$svc/slipway.yaml"
  grep -q "proxy: {config" "$svc/slipway.yaml" || { echo "cannot configure deploy.local.proxy in $svc/slipway.yaml" >&2; exit 1; }
  # Two instances run side by side during the switch: myapp's embedded H2 file is locked by the
  # process that opened it, so each instance keeps its data under its own port (docs/local-deploy.md).
  sed -i "/^  port: $port\$/a\\  env: {DATA_DIR: \"data-\${PORT}\"}" "$svc/slipway.yaml"
  grep -q 'DATA_DIR: "data-${PORT}"' "$svc/slipway.yaml" || { echo "cannot set service.env in $svc/slipway.yaml" >&2; exit 1; }
  use 1
  "$sw" deploy "$svc" >&2
  use 2
  measure "nginx in front: deploy 2.0.0 (1.0.0 serving)" "$sw" deploy "$svc"
  measure "nginx in front: rollback to 1.0.0" "$sw" rollback "$svc" --version 1.0.0
  unset front
fi
