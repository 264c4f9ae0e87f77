#!/bin/sh
# Benchmarks the example service built as a Slipway single file against plain `java -jar`:
# time to ready, first-run (unpack) cost, and sizes. Prints a Markdown report on stdout (progress
# and build output go to stderr) and writes the raw numbers as JSON. See bench/README.md.
set -eu

usage() {
  cat <<'EOF'
Usage: bench/run.sh [--no-build] [--runs N] [--warmup N] [--extract-runs N] [--out DIR]

  --no-build        use the existing examples/myapp/dist (default: ./slipway build examples/myapp)
  --runs N          measured time-to-ready runs per variant (default 11)
  --warmup N        unreported time-to-ready warmup runs per variant (default 2)
  --extract-runs N  measured runs of `<single file> version`, empty and warm cache (default 5)
  --out DIR         where to write the JSON files (default bench/results/<UTC time>)

Environment: JDK17 (default /usr/lib/jvm/java-17-openjdk-amd64) and
JDK25 (default /usr/lib/jvm/temurin-25-jdk-amd64; its variant is skipped if missing).
Run it from anywhere; paths in the report are relative to the repository root.
EOF
}

# Quotes arguments for a POSIX shell, so the printed command line can be pasted back.
quote() {
  quoted=
  for arg in "$@"; do
    case $arg in
      '' | *[!A-Za-z0-9_./=:,+@%-]*) arg="'$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")'" ;;
    esac
    quoted="$quoted${quoted:+ }$arg"
  done
  printf '%s\n' "$quoted"
}

die() {
  echo "run.sh: $*" >&2
  exit 1
}

count() { # validates a whole number within bounds: count NAME VALUE MIN MAX
  case $2 in
    '' | *[!0-9]*) die "$1 needs a whole number, got '$2'" ;;
  esac
  if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then die "$1 must be between $3 and $4"; fi
  printf '%s\n' "$2"
}

command_line=$(quote "$0" "$@")
build=yes
runs=11
warmup=2
extract_runs=5
out=
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=no ;;
    --runs | --warmup | --extract-runs | --out)
      [ $# -ge 2 ] || die "$1 needs a value"
      case $1 in
        --runs) runs=$(count --runs "$2" 1 1000) ;;
        --warmup) warmup=$(count --warmup "$2" 0 100) ;;
        --extract-runs) extract_runs=$(count --extract-runs "$2" 1 100) ;;
        --out) out=$2 ;;
      esac
      shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

case $out in
  '' | /*) ;;
  *) out=$(pwd -P)/$out ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$repo"
app_dir=examples/myapp
jar=$app_dir/target/myapp-0.1.0.jar
artifacts=$app_dir/dist/artifacts.json
jdk17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -n "$out" ] || out=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
[ -x "$jdk17/bin/java" ] || die "no JDK 17 at $jdk17 (set JDK17)"
command -v python3 >/dev/null 2>&1 || die "python3 is needed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$build" = yes ]; then
  echo "run.sh: ./slipway build $app_dir ..." >&2
  ./slipway build "$app_dir" >&2 || die "./slipway build $app_dir failed"
fi
[ -f "$artifacts" ] || die "$artifacts not found (build first, or drop --no-build)"
[ -f "$jar" ] || die "$jar not found"

# Prints field $2 (path, size or version) of the artifact of kind $1 for this host's platform.
artifact() {
  python3 - "$artifacts" "$1" "$2" <<'EOF'
import json, platform, sys
doc = json.load(open(sys.argv[1]))
if sys.argv[2] == "version":
    print(doc["version"]); sys.exit(0)
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
host = platform.system().lower() + "-" + arch
found = [a for a in doc["artifacts"] if a["kind"] == sys.argv[2] and a.get("platform", host) == host]
if not found:
    sys.exit(f"no {sys.argv[2]} artifact for {host} in {sys.argv[1]}")
print(found[0][sys.argv[3]])
EOF
}
version=$(artifact version -)
single=$app_dir/$(artifact single-file path)
archive=$app_dir/$(artifact archive path)
[ -x "$single" ] || die "$single is not an executable file"
[ -f "$archive" ] || die "$archive not found"
for kind in single-file archive; do
  if [ "$kind" = single-file ]; then f=$single; else f=$archive; fi
  [ "$(wc -c <"$f" | tr -d ' ')" = "$(artifact "$kind" size)" ] || die "$f does not have the size $artifacts gives"
done
if [ -n "$(find "$jar" -newer "$single")" ]; then
  echo "run.sh: warning: $jar is newer than $single: the variants may not run the same app build" >&2
fi

# Pre-warm a cache: one run unpacks the single file into $warm/run/<key>.
warm=$tmp/warm-cache
mkdir "$warm"
SLIPWAY_CACHE_DIR=$warm timeout 120 "$single" version >/dev/null || die "$single version failed"
key=$(head -n 20 "$single" | sed -n "s/^slipway_key='\(.*\)'\$/\1/p")
unpacked=$warm/run/$key
if [ -z "$key" ] || [ ! -f "$unpacked/.slipway-complete" ]; then
  die "no unpacked cache at $warm/run/<key> after the first run"
fi
launch=$(head -n 40 "$single" | sed -n 's/^ *exec \(.*\)$/\1/p' | head -n 1)

mkdir -p "$out"
set -- --runs "$runs" --warmup "$warmup" --json "$out/time-to-ready.json" \
  --variant 'java -jar (JDK 17)' -- "$jdk17/bin/java" -jar "$jar" \
  --variant 'single file (warm cache)' --env "SLIPWAY_CACHE_DIR=$warm" -- "$single"
have25=no
if [ -x "$jdk25/bin/java" ]; then
  have25=yes
  set -- "$@" --variant 'java -jar (JDK 25)' -- "$jdk25/bin/java" -jar "$jar"
else
  echo "run.sh: no JDK 25 at $jdk25: skipping that variant" >&2
fi

mb() { awk -v b="$1" 'BEGIN { printf (b < 1000000 ? "%.3f" : "%.1f"), b / 1000000 }'; }
java_version() { "$1" -version 2>&1 | sed 's/^/  /'; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff-index --quiet HEAD -- 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi

echo '```'
echo "\$ $command_line"
echo '```'
echo
echo "- Date: $(date -u)"
echo "- nproc: $(nproc); CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "- Kernel: $(uname -srm); load average (1/5/15 min) at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "- Slipway commit: $commit; myapp $version"
echo "- Cache and temp directories on: $(stat -f -c %T "$tmp") ($tmp)"
echo "- The single file \`$single\` starts java with: \`exec $launch\`"
echo "- Java versions:"
echo
echo '```'
echo "java -jar (JDK 17): $jdk17/bin/java"
java_version "$jdk17/bin/java"
echo "single file: its bundled runtime, $(grep '^MODULES=' "$unpacked/runtime/release" || echo 'MODULES unknown')"
java_version "$unpacked/runtime/bin/java"
if [ "$have25" = yes ]; then
  echo "java -jar (JDK 25): $jdk25/bin/java"
  java_version "$jdk25/bin/java"
fi
echo '```'
echo

echo "### Time to ready"
echo
python3 bench/time-to-ready.py "$@"
echo

echo "### First run: unpacking cost"
echo
python3 bench/time-command.py --runs "$extract_runs" --warmup 1 --json "$out/first-run.json" \
  --variant 'single file version, warm cache' --env "SLIPWAY_CACHE_DIR=$warm" -- "$single" version \
  --variant 'single file version, empty cache (unpacks)' --fresh-dir-env SLIPWAY_CACHE_DIR -- "$single" version
echo
echo "Each empty-cache run gets a new empty SLIPWAY_CACHE_DIR; \"median − anchor\" is the unpacking cost."
echo

echo "### Sizes"
echo
# du: -s total, -b apparent size in bytes (not disk blocks); each inode is counted once.
# -L follows symlinks (Debian's JDK links config files into /etc and legal notices between
# modules); dangling ones (e.g. lib/src.zip without the openjdk-17-source package) are skipped.
jdk_bytes=$(du -sbL "$jdk17/" 2>/dev/null | cut -f 1)
jmods_bytes=$(du -sbL "$jdk17/jmods" 2>/dev/null | cut -f 1)
dangling=$(find -L "$jdk17/" -type l 2>/dev/null | wc -l | tr -d ' ')
unpacked_bytes=$(du -sb "$unpacked" | cut -f 1)
echo "| What | Measured | Bytes | MB |"
echo "|---|---|---:|---:|"
row() { echo "| $1 | $2 | $3 | $(mb "$3") |"; }
row "single file" "\`$single\`" "$(wc -c <"$single" | tr -d ' ')"
row "archive (.tar.gz)" "\`$archive\`" "$(wc -c <"$archive" | tr -d ' ')"
row "app jar" "\`$jar\`" "$(wc -c <"$jar" | tr -d ' ')"
row "single file unpacked in the cache" "\`du -sb\` of \`\$SLIPWAY_CACHE_DIR/run/$key\`" "$unpacked_bytes"
row "full JDK 17 directory" "\`du -sbL $jdk17/\` (symlinks followed; dangling symlinks skipped: $dangling)" "$jdk_bytes"
row "… of which \`jmods/\` (used by jlink only)" "\`du -sbL $jdk17/jmods\`" "$jmods_bytes"
echo
echo "MB = 10^6 bytes. du -b counts apparent sizes, not disk blocks."
echo
echo "Raw numbers: $out/time-to-ready.json, $out/first-run.json"
