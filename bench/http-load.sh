#!/usr/bin/env bash
# HTTP throughput of examples/myapp against a Go net/http anchor, with wrk on loopback.
# Prints a Markdown report on stdout (progress on stderr); see bench/README.md.
#
#   bench/http-load.sh [--no-build] [--rounds N] [--seconds S] [--connections C]
#
# Variants, measured round-robin in the same invocation (the anchor first):
#   go hello /health/live        bench/go/hello built with Debian's golang-1.19-go
#   myapp /health/live           the Slipway single file (its jlinked runtime)
#   myapp GET /api/notes/1 (H2)  no Redis
#   myapp GET /api/notes/1 (H2 + Redis)   REDIS_URL set: reads are cache hits
#   with JAVA_OPTS_B set: myapp /health/live and GET /api/notes/1 (H2) again, from a third
#   instance started with JAVA_OPTS="$JAVA_OPTS_B" (rows marked [B]), for a JVM-option A/B
#   under the same load
# Each figure is the median over the rounds of wrk's Requests/sec and of its p99 latency.
# RSS of myapp (VmRSS of the java process): idle after start, and the peak sampled every
# 200 ms while wrk runs.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1 rounds=3 seconds=8 conns=50
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --rounds) rounds="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --connections) conns="$2"; shift ;;
    *) echo "usage: $0 [--no-build] [--rounds N] [--seconds S] [--connections C]" >&2; exit 2 ;;
  esac
  shift
done

GO="${GO:-/usr/lib/go-1.19/bin/go}"
for tool in wrk redis-server curl "$GO"; do
  command -v "$tool" >/dev/null || { echo "http-load: $tool not found (apt-get install wrk redis-server curl golang-1.19-go)" >&2; exit 2; }
done

work="$(mktemp -d /tmp/slipway-http-load.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "http-load: $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # url: up to 30 s
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "http-load: $1 not answering within 30 s" >&2; exit 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

if [ "$build" = 1 ]; then
  log "building myapp (./slipway build examples/myapp)"
  ./slipway build examples/myapp >&2
fi
# The newest build (dist/ folders are named after versions, which contain no odd characters).
# shellcheck disable=SC2012
single="$(realpath "$(ls -td examples/myapp/dist/myapp_*_linux_amd64 | head -n 1)/myapp")"
log "single file: $single"

log "building bench/go/hello"
(cd bench/go/hello && GOCACHE="$work/gocache" GOPATH="$work/gopath" GOPROXY=off GOFLAGS='' GO111MODULE=on \
  CGO_ENABLED=0 "$GO" build -trimpath -o "$work/hello-go" main.go)

# --- servers
go_port="$(free_port)"
PORT="$go_port" "$work/hello-go" & pids+=($!)

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 & pids+=($!)

start_myapp() { # name port [env...]
  local name="$1" port="$2"; shift 2
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec env PORT="$port" ADDR=127.0.0.1 DATA_DIR="$work/$name/data" "$@" "$single") \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  echo $! >"$work/$name.pid"
}
app_port="$(free_port)"; start_myapp plain "$app_port"
rapp_port="$(free_port)"; start_myapp redis "$rapp_port" REDIS_URL="redis://127.0.0.1:$redis_port"
bapp_port=
if [ -n "${JAVA_OPTS_B:-}" ]; then
  bapp_port="$(free_port)"; start_myapp optsb "$bapp_port" JAVA_OPTS="$JAVA_OPTS_B"
fi

wait_http "http://127.0.0.1:$go_port/health/live"
for p in "$app_port" "$rapp_port" $bapp_port; do
  wait_http "http://127.0.0.1:$p/health/live"
  for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$p/health/ready" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null -X POST -d '{"title":"bench","body":"a note for the benchmark"}' "http://127.0.0.1:$p/api/notes"
done
sleep 1
app_pid="$(cat "$work/plain.pid")"
idle_rss="$(rss_kb "$app_pid")"

names=("go hello /health/live" "myapp /health/live" "myapp GET /api/notes/1 (H2)" "myapp GET /api/notes/1 (H2 + Redis)")
urls=("http://127.0.0.1:$go_port/health/live" "http://127.0.0.1:$app_port/health/live"
      "http://127.0.0.1:$app_port/api/notes/1" "http://127.0.0.1:$rapp_port/api/notes/1")
if [ -n "$bapp_port" ]; then
  names+=("myapp /health/live [B]" "myapp GET /api/notes/1 (H2) [B]")
  urls+=("http://127.0.0.1:$bapp_port/health/live" "http://127.0.0.1:$bapp_port/api/notes/1")
fi

# wrk output -> "rps p99_ms non2xx errors"
parse_wrk() {
  awk '
    /Requests\/sec:/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; p99=v}
    /Non-2xx/ {non2xx=$NF}
    /Socket errors/ {gsub(",",""); err=$4+$6+$8+$10}
    END {printf "%s %s %d %d\n", rps, p99, non2xx, err}'
}

log "warming up (3 s each)"
for u in "${urls[@]}"; do wrk -t2 -c"$conns" -d3s "$u" >/dev/null; done

peak_rss=0
for r in $(seq 1 "$rounds"); do
  for i in "${!urls[@]}"; do
    log "round $r/$rounds: ${names[$i]}"
    wrk -t2 -c"$conns" -d"${seconds}s" --latency "${urls[$i]}" >"$work/wrk.$i.$r" &
    wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null; do
      if [ "$i" -ge 1 ] && [ "$i" -le 2 ]; then
        rss="$(rss_kb "$app_pid")"; [ "$rss" -gt "$peak_rss" ] && peak_rss="$rss"
      fi
      sleep 0.2
    done
    wait "$wrk_pid"
    parse_wrk <"$work/wrk.$i.$r" >"$work/res.$i.$r"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo '```'
echo "$ bench/http-load.sh $([ "$build" = 0 ] && echo --no-build) --rounds $rounds --seconds $seconds --connections $conns"
echo '```'
echo
echo "- Date: $(date -u)"
echo "- nproc: $(nproc); CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
echo "- Load average (1/5/15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- Commit: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)'); single file: \`$single\`"
echo "- wrk -t2 -c$conns -d${seconds}s --latency, $rounds rounds round-robin after a 3 s warmup; wrk, servers and Redis share the machine"
echo "- Go: $("$GO" version); myapp log level info, request lines to a file"
[ -z "$bapp_port" ] || echo "- [B]: a third myapp with JAVA_OPTS='$JAVA_OPTS_B' (the others: JAVA_OPTS='${JAVA_OPTS:-}')"
echo
echo "| Variant | req/s (median) | p99 ms (median) | req/s ÷ Go | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---:|---:|"
go_rps="$(for r in $(seq 1 "$rounds"); do cut -d' ' -f1 "$work/res.0.$r"; done | median)"
for i in "${!urls[@]}"; do
  rps="$(for r in $(seq 1 "$rounds"); do cut -d' ' -f1 "$work/res.$i.$r"; done | median)"
  p99="$(for r in $(seq 1 "$rounds"); do cut -d' ' -f2 "$work/res.$i.$r"; done | median)"
  non2xx="$(cat "$work"/res."$i".* | awk '{s+=$3} END {print s}')"
  errs="$(cat "$work"/res."$i".* | awk '{s+=$4} END {print s}')"
  printf '| %s | %.0f | %.2f | %.2f | %s | %s |\n' "${names[$i]}" "$rps" "$p99" "$(awk -v a="$rps" -v b="$go_rps" 'BEGIN {print a/b}')" "$non2xx" "$errs"
done
echo
printf -- '- myapp RSS: idle %.1f MB (after start and one POST), peak under load %.1f MB\n' \
  "$(awk -v k="$idle_rss" 'BEGIN {print k/1024}')" "$(awk -v k="$peak_rss" 'BEGIN {print k/1024}')"
