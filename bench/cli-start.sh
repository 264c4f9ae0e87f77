#!/bin/sh
# CLI latency (issue 16, "an instant CLI"): `slipway --help`, `slipway check examples/myapp` and
# `slipway status examples/myapp` (the local target) timed, interleaved in one run, with
#   - ./slipway            the launcher of this checkout (java -cp the Maven-built jars),
#   - single file          Slipway's own single file (trained startup, warm unpack cache),
#   - installed            that release installed by install.sh (the archive's layout, with the
#                          class-data archive install.sh makes).
# Goal: each command ready in 0.3 s or less on an idle 2-core machine.
# Builds Slipway's release (./slipway release --snapshot --skip-publish, the host platform only)
# into a temporary copy of this checkout unless --release DIR names a release directory already
# made. Prints a Markdown report on stdout; progress goes to stderr. See bench/README.md.
set -eu

usage() {
  cat <<'EOF'
Usage: bench/cli-start.sh [--runs N] [--warmup N] [--release DIR]

  --runs N       measured runs per variant and command (default 11)
  --warmup N     unreported runs per variant and command (default 2)
  --release DIR  a release directory of Slipway (dist/ of 'slipway release': checksums.txt, the
                 linux-amd64 single file and archive); default: make one from this checkout
EOF
}

die() {
  echo "cli-start.sh: $*" >&2
  exit 1
}
say() { echo "cli-start.sh: $*" >&2; }

runs=11
warmup=2
release=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a number}; shift 2 ;;
    --release) release=${2:?--release needs a directory}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

bench=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$bench")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-cli-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The launcher of the checkout builds the CLI first if its sources changed (not timed).
"$repo/slipway" version >/dev/null

if [ -z "$release" ]; then
  say "making Slipway's release from a clone of HEAD in $tmp/src (the host platform only) ..."
  git clone -q "$repo" "$tmp/src"
  sed -i 's/^platforms: .*/platforms: [linux-amd64]/' "$tmp/src/slipway.yaml"
  (cd "$tmp/src" && SLIPWAY_CACHE_DIR=$tmp/build-cache "$repo/slipway" release --snapshot --skip-publish >/dev/null) ||
    die "the release failed"
  release=$tmp/src/dist
fi
release=$(cd "$release" && pwd -P)
single=$(find "$release" -path '*_linux_amd64/slipway' -type f | head -n 1)
[ -n "$single" ] || die "no linux-amd64 single file in $release"

say "installing it with install.sh into $tmp/prefix ..."
sh "$repo/install.sh" --from "$release" --prefix "$tmp/prefix" >&2
installed=$tmp/prefix/bin/slipway

# The single file's first run (unpack, class-data archive) is made before timing.
cache=$tmp/run-cache
SLIPWAY_CACHE_DIR=$cache SLIPWAY_PREPARE=1 "$single"

myapp=$repo/examples/myapp
echo "# Slipway CLI latency"
echo
echo "- date: $(date -u '+%Y-%m-%dT%H:%M:%SZ'), nproc $(nproc), load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "- commit: $(git -C "$repo" rev-parse --short HEAD)"
echo "- single file: $single ($(du -h "$single" | cut -f 1)); $("$single" version | head -n 1)"
echo "- ./slipway: $(java -version 2>&1 | head -n 1)"
echo
# Every variant runs through the same sh -c, which drops the output and accepts the exit codes
# the command has here: status exits 1 when the service is not running.
for cmd in "--help" "check $myapp" "status $myapp"; do
  case $cmd in
    status*) ok='[ $? -le 1 ]' ;;
    *) ok='[ $? -eq 0 ]' ;;
  esac
  echo "## slipway $cmd" | sed "s|$repo/||"
  echo
  # shellcheck disable=SC2086,SC2016
  python3 "$bench/time-command.py" --runs "$runs" --warmup "$warmup" \
    --variant ./slipway -- sh -c '"$0" "$@" >/dev/null 2>&1; '"$ok" "$repo/slipway" $cmd \
    --variant 'single file' --env "SLIPWAY_CACHE_DIR=$cache" -- sh -c '"$0" "$@" >/dev/null 2>&1; '"$ok" "$single" $cmd \
    --variant installed -- sh -c '"$0" "$@" >/dev/null 2>&1; '"$ok" "$installed" $cmd
  echo
done
