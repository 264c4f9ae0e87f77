#!/bin/sh
# Benchmarks the example service built as Slipway single files (JDK 17, and JDK 25 with a trained
# AOT cache) against `java -jar` on full JDKs and a Go net/http server: time to ready, first-run
# (unpack) cost, sizes (with jpackage and Go) and build times (cold against raw jlink, warm with
# one class changed), and a Spring Boot web + JPA + actuator app of the compatibility suite
# (compat/spring-mvc, JDK 17) against `java -jar` of its own fat jar: size, first run, time to
# ready. Builds happen in temporary copies of examples/myapp and compat/spring-mvc, never in them.
# Prints a Markdown report on stdout (progress and build output go to stderr) and writes the raw
# numbers as JSON. See bench/README.md.
set -eu

usage() {
  cat <<'EOF'
Usage: bench/run.sh [--runs N] [--warmup N] [--extract-runs N] [--build-runs N]
                    [--build-warmup N] [--out DIR]

  --runs N          measured time-to-ready runs per variant (default 11)
  --warmup N        unreported time-to-ready warmup runs per variant (default 2)
  --extract-runs N  measured runs of `<single file> version`, empty and warm cache (default 5)
  --build-runs N    measured runs per build-time variant (default 3)
  --build-warmup N  unreported runs per build-time variant (default 1)
  --out DIR         where to write the JSON files and report.md (default bench/results/<UTC time>)

Environment: JDK17 (default /usr/lib/jvm/java-17-openjdk-amd64), JDK25 (default
/usr/lib/jvm/temurin-25-jdk-amd64) and GO (default /usr/lib/go-1.19/bin/go, else go on PATH;
Debian: apt-get install golang-1.19-go). All three are required. SLIPWAY (default the checkout's
./slipway launcher) is the Slipway whose builds the build-time rows time, e.g. the single file of
`./slipway release --snapshot --skip-publish`, as a user who installed Slipway runs it; the
untimed builds that make the compared single files always use the checkout.
Run it from anywhere; paths in the report are relative to the repository root or to the run's
temporary directory ($tmp).
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

say() { echo "run.sh: $*" >&2; }

count() { # validates a whole number within bounds: count NAME VALUE MIN MAX
  case $2 in
    '' | *[!0-9]*) die "$1 needs a whole number, got '$2'" ;;
  esac
  if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then die "$1 must be between $3 and $4"; fi
  printf '%s\n' "$2"
}

command_line=$(quote "$0" "$@")
runs=11
warmup=2
extract_runs=5
build_runs=3
build_warmup=1
out=
while [ $# -gt 0 ]; do
  case $1 in
    --runs | --warmup | --extract-runs | --build-runs | --build-warmup | --out)
      [ $# -ge 2 ] || die "$1 needs a value"
      case $1 in
        --runs) runs=$(count --runs "$2" 1 1000) ;;
        --warmup) warmup=$(count --warmup "$2" 0 100) ;;
        --extract-runs) extract_runs=$(count --extract-runs "$2" 1 100) ;;
        --build-runs) build_runs=$(count --build-runs "$2" 1 20) ;;
        --build-warmup) build_warmup=$(count --build-warmup "$2" 0 5) ;;
        --out) out=$2 ;;
      esac
      shift ;;
    --no-build) die "--no-build is gone: the harness now builds temporary copies of examples/myapp itself" ;;
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
timed_slipway=${SLIPWAY:-$repo/slipway}
cd "$repo"
jdk17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ -n "${GO:-}" ]; then go=$GO
elif [ -x /usr/lib/go-1.19/bin/go ]; then go=/usr/lib/go-1.19/bin/go
else go=$(command -v go || true)
fi
[ -n "$out" ] || out=$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)
[ -x "$jdk17/bin/java" ] || die "no JDK 17 at $jdk17 (set JDK17)"
[ -x "$jdk17/bin/jpackage" ] || die "no jpackage in $jdk17/bin"
[ -x "$jdk25/bin/java" ] || die "no JDK 25 at $jdk25 (set JDK25)"
{ [ -n "$go" ] && [ -x "$go" ]; } || die "no Go toolchain (apt-get install golang-1.19-go, or set GO)"
command -v python3 >/dev/null 2>&1 || die "python3 is needed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench.XXXXXX")
case $tmp$repo in
  *[[:space:]]* | *[\'\"*?[]*) rm -rf "$tmp"; die "the repository and TMPDIR paths must not contain blanks, quotes or glob characters" ;;
esac
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$out"

# The run's own Slipway cache (runtime cache and training cache of the builds), so that "cold"
# and "warm" mean what they say whatever ~/.cache/slipway holds.
build_cache=$tmp/build-cache
version=0.0.0-bench
main_java=src/main/java/example/myapp/Main.java

# Copies examples/myapp (without build outputs and local state) to $tmp/$1, sets build.jdk
# to $2 in the copy's slipway.yaml and commits it in a new git repository.
copy_app() {
  mkdir "$tmp/$1"
  tar -C examples/myapp --exclude=./target --exclude=./dist --exclude=./.slipway --exclude=./data -cf - . \
    | tar -C "$tmp/$1" -xf -
  grep -q '^build:$' "$tmp/$1/slipway.yaml" || die "examples/myapp/slipway.yaml has no 'build:' line"
  sed "s|^build:\$|build:\\
  jdk: $2|" examples/myapp/slipway.yaml >"$tmp/$1/slipway.yaml"
  # The class that the warm builds' edit changes (edit, below) is there from the first build on, so
  # each timed edit changes a class rather than adding one: a new class is a new entry name of the
  # app's jar, which trains the JDK 17 class list again and so dumps its AppCDS archive again.
  printf 'final class BenchEdit { static final String AT = "0"; }\n' >>"$tmp/$1/$main_java"
  # A git repository, as users have: the build time is then the commit's, so an unchanged build
  # keeps its JDK 25 AOT cache (which records the jars' times) instead of training again.
  (cd "$tmp/$1" && git init -q -b main && git add -A &&
    git -c user.name=bench -c user.email=bench@slipway.invalid commit -q -m "myapp for bench/run.sh") ||
    die "cannot make a git repository of $tmp/$1"
}

# Builds the copy $tmp/$1 (with Maven), its progress on stderr and in $tmp/$1.build.log.
first_build() {
  say "./slipway build $tmp/$1 --version $version ..."
  if ! SLIPWAY_CACHE_DIR=$build_cache timeout 1200 ./slipway build "$tmp/$1" --version "$version" 2>&1 \
      | tee "$tmp/$1.build.log" >&2; then
    die "./slipway build $tmp/$1 failed"
  fi
  grep -q '^built ' "$tmp/$1.build.log" || die "./slipway build $tmp/$1 failed"
}

# Prints field $3 (path or size) of the artifact of kind $2 for this host's platform from the
# artifacts.json $1.
artifact() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, platform, sys
doc = json.load(open(sys.argv[1]))
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
host = platform.system().lower() + "-" + arch
found = [a for a in doc["artifacts"] if a["kind"] == sys.argv[2] and a.get("platform", host) == host]
if not found:
    sys.exit(f"no {sys.argv[2]} artifact for {host} in {sys.argv[1]}")
print(found[0][sys.argv[3]])
EOF
}

say "building the Slipway CLI if needed ..."
./slipway version >/dev/null || die "./slipway version failed"
copy_app app17 "$jdk17"
copy_app app25 "$jdk25"
first_build app17
first_build app25

# The single file `slipway release` makes of the JDK 25 copy's commit, whose runtime and dependency
# jars' frames are zstd level 19 where a build's are 12 (docs/single-file.md): released from a clone
# (the same commit and build time, so the runtime and training caches hit), as a user runs it.
# Only its size is reported; it compresses the runtime once more at level 19 (some 40 s of CPU).
say "./slipway release --snapshot --skip-publish (a clone of $tmp/app25) ..."
git clone -q "$tmp/app25" "$tmp/app25-release" || die "cannot clone $tmp/app25"
if ! SLIPWAY_CACHE_DIR=$build_cache timeout 1200 ./slipway release "$tmp/app25-release" --snapshot --skip-publish \
    >"$tmp/app25-release.log" 2>&1; then
  cat "$tmp/app25-release.log" >&2
  die "./slipway release $tmp/app25-release failed"
fi
release25=$tmp/app25-release/$(artifact "$tmp/app25-release/dist/artifacts.json" single-file path)
[ -x "$release25" ] || die "$release25 is not an executable file"

# The Spring Boot workload: compat/spring-mvc (web, JPA with H2, actuator) built as a new user
# would (`slipway init`, then `slipway build`, JDK 17), and its own Spring Boot repackaged jar,
# which the build command (mvn package) writes into target/. The build is bounded (its training
# run by the train.timeout init writes, 180 s; the whole build by `timeout`): a failure is
# reported as such in the report and by goals.py, and the rest of the bench goes on.
spring=$tmp/spring
spring_status=ok
spring_build_timeout=1500
say "Spring Boot workload: slipway init + build of a copy of compat/spring-mvc (log: \$tmp/spring.build.log) ..."
mkdir "$spring"
(cd compat/spring-mvc && tar --exclude=./target --exclude=./dist --exclude=./.slipway --exclude=./slipway.yaml -cf - .) |
  tar -C "$spring" -xf -
if ! (cd "$spring" && git init -q -b main && git add -A &&
      git -c user.name=bench -c user.email=bench@slipway.invalid commit -q -m "spring-mvc for bench/run.sh" &&
      JAVA_HOME=$jdk17 "$repo/slipway" init . --port 8080 && git add -A &&
      git -c user.name=bench -c user.email=bench@slipway.invalid commit -q -m "slipway init") >"$tmp/spring.build.log" 2>&1; then
  spring_status="slipway init failed: $(grep -m 1 -E '^slipway:|ERROR' "$tmp/spring.build.log" | cut -c1-200)"
elif ! (cd "$spring" && JAVA_HOME=$jdk17 SLIPWAY_CACHE_DIR=$build_cache timeout "$spring_build_timeout" \
      "$repo/slipway" build . --version "$version") >>"$tmp/spring.build.log" 2>&1; then
  if grep -q 'never became ready\|did not exit within' "$tmp/spring.build.log"; then
    spring_status="not measured: the build's training run $(grep -m 1 -o 'never became ready[^:]*\|did not exit within [^:]*' "$tmp/spring.build.log" | cut -c1-200) (load $(cut -d ' ' -f 1-3 /proc/loadavg))"
  elif ! grep -q '^built ' "$tmp/spring.build.log"; then
    spring_status="not measured: slipway build failed or ran over ${spring_build_timeout} s: $(grep -m 1 -E '^slipway:|ERROR|Exception' "$tmp/spring.build.log" | cut -c1-200)"
  fi
fi
spring_single=
spring_jar=
if [ "$spring_status" = ok ]; then
  spring_single=$spring/$(artifact "$spring/dist/artifacts.json" single-file path)
  spring_jar=$(ls "$spring"/target/*.jar 2>/dev/null | grep -v '\.original$' | head -n 1)
  [ -x "$spring_single" ] || spring_status="no single file in $spring/dist"
  [ -f "$spring_jar" ] || spring_status="no Spring Boot jar in $spring/target"
fi

# Single files, archives and jars of both builds; the single files are unpacked once into $warm.
warm=$tmp/warm-cache
mkdir "$warm"
# Checks the build of the copy app$1 and unpacks its single file into $warm; sets s (single file),
# a (archive), k (cache key), l (the stub's exec line) and u (unpacked directory).
inspect() {
  dir=$tmp/app$1
  artifacts=$dir/dist/artifacts.json
  s=$dir/$(artifact "$artifacts" single-file path)
  a=$dir/$(artifact "$artifacts" archive path)
  [ -x "$s" ] || die "$s is not an executable file"
  [ -f "$dir/target/myapp-0.1.0.jar" ] || die "no $dir/target/myapp-0.1.0.jar"
  [ "$(wc -c <"$s" | tr -d ' ')" = "$(artifact "$artifacts" single-file size)" ] || die "$s does not have the size $artifacts gives"
  [ "$(wc -c <"$a" | tr -d ' ')" = "$(artifact "$artifacts" archive size)" ] || die "$a does not have the size $artifacts gives"
  SLIPWAY_CACHE_DIR=$warm timeout 120 "$s" version >/dev/null || die "$s version failed"
  k=$(head -n 20 "$s" | sed -n "s/^slipway_key='\(.*\)'\$/\1/p")
  u=$warm/run/$k
  if [ -z "$k" ] || [ ! -f "$u/.slipway-complete" ]; then
    die "no unpacked cache at $warm/run/<key> after the first run of $s"
  fi
  l=$(head -n 40 "$s" | sed -n 's/^ *exec \("\$slipway_home.*\)$/\1/p' | head -n 1)
}
inspect 17
single17=$s archive17=$a key17=$k launch17=$l unpacked17=$u jar17=$tmp/app17/target/myapp-0.1.0.jar
inspect 25
single25=$s archive25=$a key25=$k launch25=$l unpacked25=$u jar25=$tmp/app25/target/myapp-0.1.0.jar
[ -f "$unpacked25/app/app.aot" ] || die "the JDK 25 single file has no AOT cache (app/app.aot): was training skipped?"
[ -f "$unpacked17/app/app.jsa" ] || die "the JDK 17 single file has no AppCDS archive (app/app.jsa) after its first run: see $unpacked17/app/app.jsa.check.log"
[ -f "$unpacked17/app/app.jsa.log" ] && die "the JDK 17 single file's first run dumped the AppCDS archive instead of using the one made at build time: see $unpacked17/app/app.jsa.check.log"

# The "AOT cache off" variant: check that JAVA_OPTS=-XX:AOTMode=off really stops the JVM from
# using the AOT cache (class+load then names the jar, not the "shared objects file").
class_source() { # class_source JAVA_OPTS CLASS: prints where the single file JDK 25 loads CLASS from
  SLIPWAY_CACHE_DIR=$warm JAVA_OPTS="$1 -Xlog:class+load=info" timeout 120 "$single25" version \
    | sed -n "s/^.*\] $2 source: //p" | head -n 1
}
# The JDK 17 single file: the AppCDS archive made at build time, and the runtime's default CDS
# archive instead (a later -XX:SharedArchiveFile in JAVA_OPTS wins). The single file leaves the
# default archive out (the app's replaces it), so it is dumped here from the runtime's default
# class list, as jlink's --generate-cds-archive makes it.
default_jsa17=$tmp/default17.jsa
"$unpacked17/runtime/bin/java" -Xshare:dump -XX:SharedArchiveFile="$default_jsa17" >"$tmp/default17.log" 2>&1 ||
  die "cannot dump the JDK 17 runtime's default CDS archive: see $tmp/default17.log"
default_cds17=-XX:SharedArchiveFile=$default_jsa17
class_source17() { # class_source17 JAVA_OPTS CLASS
  SLIPWAY_CACHE_DIR=$warm JAVA_OPTS="$1 -Xlog:class+load=info" timeout 120 "$single17" version \
    | sed -n "s/^.*\] $2 source: //p" | head -n 1
}
cds17_main=$(class_source17 '' example.myapp.Main)
cds17_off_main=$(class_source17 "$default_cds17" example.myapp.Main)
cds17_off_object=$(class_source17 "$default_cds17" java.lang.Object)
# The archive may cover the dependency jars alone (docs/building.md: the app's own classes then load
# from its jar, and `version` loads no dependency class), so the check is that the JVM maps it.
cds17_log=$(SLIPWAY_CACHE_DIR=$warm JAVA_OPTS="-Xlog:cds=info" timeout 120 "$single17" version 2>&1)
printf '%s\n' "$cds17_log" | grep -q 'Opened archive .*/app/app\.jsa\.' &&
  ! printf '%s\n' "$cds17_log" | grep -qi 'mismatch\|unable to use\|disabled' ||
  die "the JDK 17 single file does not map its AppCDS archive app/app.jsa: $(printf '%s\n' "$cds17_log" | grep -i cds | tail -n 3)"
[ "$cds17_off_object" = "shared objects file" ] && [ "$cds17_off_main" != "shared objects file" ] ||
  die "JAVA_OPTS=$default_cds17 does not give the default CDS archive (Object: $cds17_off_object, Main: $cds17_off_main)"
aot_on_main=$(class_source '' example.myapp.Main)
aot_on_object=$(class_source '' java.lang.Object)
aot_off_main=$(class_source -XX:AOTMode=off example.myapp.Main)
aot_off_object=$(class_source -XX:AOTMode=off java.lang.Object)
[ "$aot_on_main" = "shared objects file" ] || die "the JDK 25 single file does not load example.myapp.Main from its AOT cache (source: $aot_on_main)"
case $aot_off_main in
  '' | 'shared objects file'*) die "-XX:AOTMode=off did not switch the AOT cache off (example.myapp.Main source: $aot_off_main)" ;;
esac

# The Go baseline, built here with the standard library only (no network).
say "building bench/go/hello with $go ..."
gobuild() {
  (cd bench/go/hello && GOCACHE=$tmp/go-cache GOPATH=$tmp/go-path GOPROXY=off GOFLAGS='' GO111MODULE=on \
    CGO_ENABLED=0 "$go" build -trimpath "$@" main.go) || die "go build of bench/go/hello failed"
}
gobuild -o "$tmp/hello"
gobuild -ldflags='-s -w' -o "$tmp/hello-stripped"
go_version=$("$go" version)

# Module set of the JDK 17 runtime, for raw jlink and jpackage.
modules=$(sed -n 's/^MODULES="\(.*\)"$/\1/p' "$unpacked17/runtime/release" | tr ' ' ',')
[ -n "$modules" ] || die "no MODULES in $unpacked17/runtime/release"

mb() { awk -v b="$1" 'BEGIN { printf (b < 1000000 ? "%.3f" : "%.1f"), b / 1000000 }'; }
java_version() { "$1" -version 2>&1 | sed 's/^/  /'; }
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git diff-index --quiet HEAD -- 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
short() { printf '%s\n' "$1" | sed "s|^$tmp/|\$tmp/|"; }

head=$tmp/head.md
body=$tmp/body.md
{
  echo '```'
  echo "\$ $command_line"
  echo '```'
  echo
  echo "- Date: $(date -u)"
  echo "- Slipway timed in the build rows: $timed_slipway"
  echo "- nproc: $(nproc); CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "- Kernel: $(uname -srm); load average (1/5/15 min) at start: $(cut -d ' ' -f 1-3 /proc/loadavg)"
  echo "- Slipway commit: $commit; myapp built as $version from temporary copies of examples/myapp"
  echo "- \$tmp: $tmp, on $(stat -f -c %T "$tmp") (builds, caches and temp directories)"
  echo "- Go: $go_version"
  echo "- The JDK 17 single file \`$(short "$single17")\` starts java with: \`exec $launch17\`"
  echo "- The JDK 25 single file \`$(short "$single25")\` starts java with: \`exec $launch25\`"
  echo "- AOT cache off (\`JAVA_OPTS=-XX:AOTMode=off\`), checked with \`-Xlog:class+load\`: example.myapp.Main"
  echo "  comes from \"$aot_off_main\" (with the cache: \"$aot_on_main\") and java.lang.Object from"
  echo "  \"$aot_off_object\" (with the cache: \"$aot_on_object\"), so AOTMode=off also leaves the"
  echo "  runtime's default CDS archive unused."
  echo "- JDK 17 AppCDS archive (dumped at build time, checked by the single file's first run) off: \`JAVA_OPTS=-XX:SharedArchiveFile=<unpacked>/runtime/lib/server/classes.jsa\`"
  echo "  (the runtime's default CDS archive), checked with \`-Xlog:class+load\`: example.myapp.Main comes from"
  echo "  \"$cds17_off_main\" (with the AppCDS archive: \"$cds17_main\"), java.lang.Object from \"$cds17_off_object\"."
  echo "- Java versions:"
  echo
  echo '```'
  echo "java -jar (JDK 17): $jdk17/bin/java"
  java_version "$jdk17/bin/java"
  echo "java -jar (JDK 25): $jdk25/bin/java"
  java_version "$jdk25/bin/java"
  echo "single file JDK 17: its bundled runtime, $(grep '^MODULES=' "$unpacked17/runtime/release" || echo 'MODULES unknown')"
  java_version "$unpacked17/runtime/bin/java"
  echo "single file JDK 25: its bundled runtime, $(grep '^MODULES=' "$unpacked25/runtime/release" || echo 'MODULES unknown')"
  java_version "$unpacked25/runtime/bin/java"
  echo '```'
  echo
  echo "- The first builds (with Maven, runtime cache empty; not timed by the harness, shown for the step times):"
  echo
  echo '```'
  for j in 17 25; do
    echo "\$ ./slipway build \$tmp/app$j --version $version    # build.jdk: $(eval "echo \$jdk$j")"
    sed "s|$tmp/|\$tmp/|g" "$tmp/app$j.build.log"
  done
  echo '```'
  echo
} >"$head"

# --- Time to ready ----------------------------------------------------------------------------
say "time to ready ..."
{
  echo "### Time to ready"
  echo
  python3 bench/time-to-ready.py --runs "$runs" --warmup "$warmup" --json "$out/time-to-ready.json" \
    --variant 'Go net/http hello' -- "$tmp/hello" \
    --variant 'java -jar (JDK 17)' -- "$jdk17/bin/java" -jar "$jar17" \
    --variant 'single file JDK 17 (AppCDS)' --env "SLIPWAY_CACHE_DIR=$warm" -- "$single17" \
    --variant 'single file JDK 17, default CDS only' --env "SLIPWAY_CACHE_DIR=$warm" --env "JAVA_OPTS=$default_cds17" -- "$single17" \
    --variant 'java -jar (JDK 25)' -- "$jdk25/bin/java" -jar "$jar25" \
    --variant 'single file JDK 25 (AOT cache)' --env "SLIPWAY_CACHE_DIR=$warm" -- "$single25" \
    --variant 'single file JDK 25, AOT cache off' --env "SLIPWAY_CACHE_DIR=$warm" --env JAVA_OPTS=-XX:AOTMode=off -- "$single25" \
    || die "time-to-ready.py failed"
  echo
  echo "The anchor is the Go binary, so \"median ÷ anchor\" is the factor to Go. Go is ready within the"
  echo "first polls, so its figure is at the resolution of the polling (5 ms) and the factors to Go are lower"
  echo "bounds. Single files run with a warm unpack cache; \`java -jar\` runs the jar of the same build on the"
  echo "full JDK, no JVM options."
  echo
} >>"$body"

# --- First run --------------------------------------------------------------------------------
say "first run: unpacking cost ..."
{
  echo "### First run: unpacking cost"
  echo
  python3 bench/time-command.py --runs "$extract_runs" --warmup 1 --json "$out/first-run.json" \
    --variant 'JDK 17 single file version, warm cache' --env "SLIPWAY_CACHE_DIR=$warm" -- "$single17" version \
    --variant 'JDK 17 single file version, empty cache (unpacks, checks AppCDS)' --fresh-dir-env SLIPWAY_CACHE_DIR -- "$single17" version \
    --variant 'JDK 25 single file version, warm cache' --env "SLIPWAY_CACHE_DIR=$warm" -- "$single25" version \
    --variant 'JDK 25 single file version, empty cache (unpacks)' --fresh-dir-env SLIPWAY_CACHE_DIR -- "$single25" version \
    || die "time-command.py failed"
  echo
  echo "Each empty-cache run gets a new empty SLIPWAY_CACHE_DIR. Unpacking cost (median empty − median warm"
  echo "of the same file): $(python3 - "$out/first-run.json" <<'EOF'
import json, sys
m = {v["name"]: v["median_ms"] for v in json.load(open(sys.argv[1]))["variants"]}
first = {17: "JDK 17 single file version, empty cache (unpacks, checks AppCDS)", 25: "JDK 25 single file version, empty cache (unpacks)"}
print("; ".join(f"JDK {j}: {m[first[j]] - m[f'JDK {j} single file version, warm cache']:.0f} ms"
                for j in (17, 25)) + " (JDK 17: unpacking and the check of the AppCDS archive made at build time).")
EOF
)"
  echo
} >>"$body"

# --- Sizes ------------------------------------------------------------------------------------
say "sizes (jpackage twice) ..."
mkdir "$tmp/jp-input"
cp "$jar17" "$tmp/jp-input/"
jpackage_image() { # jpackage_image DEST [extra options]: an app-image of myapp, JDK 17
  dest=$1
  shift
  timeout 600 "$jdk17/bin/jpackage" --type app-image --input "$tmp/jp-input" --main-jar myapp-0.1.0.jar \
    --name myapp --dest "$dest" "$@" >"$dest.log" 2>&1 || { cat "$dest.log" >&2; die "jpackage failed"; }
}
jpackage_image "$tmp/jp-default"
jpackage_image "$tmp/jp-modules" --add-modules "$modules"
bytes() { wc -c <"$1" | tr -d ' '; }
dub() { du -sb "$1" | cut -f 1; }
# du: -s total, -b apparent size in bytes (not disk blocks); each inode is counted once.
# -L follows symlinks (Debian's JDK links config files into /etc and legal notices between
# modules); dangling ones (e.g. lib/src.zip without the openjdk-17-source package) are skipped.
printf 'single17\t%s\nsingle25\t%s\nrelease25\t%s\n' "$(bytes "$single17")" "$(bytes "$single25")" "$(bytes "$release25")" \
  >"$out/sizes.tsv"
{
  echo "### Sizes"
  echo
  echo "| What | Measured | Bytes | MB |"
  echo "|---|---|---:|---:|"
  row() { echo "| $1 | $2 | $3 | $(mb "$3") |"; }
  row "single file, JDK 17 (with the class list)" "\`wc -c\` of \`$(short "$single17")\`" "$(bytes "$single17")"
  row "single file, JDK 25 (with AOT cache)" "\`wc -c\` of \`$(short "$single25")\`" "$(bytes "$single25")"
  row "single file, JDK 25, \`slipway release --snapshot\` (kept frames at zstd level 19)" "\`wc -c\` of \`$(short "$release25")\`" "$(bytes "$release25")"
  row "archive (.tar.gz), JDK 17" "\`$(short "$archive17")\`" "$(bytes "$archive17")"
  row "archive (.tar.gz), JDK 25" "\`$(short "$archive25")\`" "$(bytes "$archive25")"
  row "runtime alone, JDK 17" "\`du -sb\` of the unpacked \`runtime/\`" "$(dub "$unpacked17/runtime")"
  row "runtime alone, JDK 25" "\`du -sb\` of the unpacked \`runtime/\`" "$(dub "$unpacked25/runtime")"
  row "AOT cache, JDK 25" "\`wc -c\` of the unpacked \`app/app.aot\`" "$(bytes "$unpacked25/app/app.aot")"
  row "AppCDS archive, JDK 17 (dumped at build time)" "\`wc -c\` of the unpacked \`app/app.jsa\`" "$(bytes "$unpacked17/app/app.jsa")"
  row "single file unpacked, JDK 17" "\`du -sb\` of \`\$SLIPWAY_CACHE_DIR/run/$key17\`" "$(dub "$unpacked17")"
  row "single file unpacked, JDK 25" "\`du -sb\` of \`\$SLIPWAY_CACHE_DIR/run/$key25\`" "$(dub "$unpacked25")"
  row "app jar" "\`wc -c\` of \`target/myapp-0.1.0.jar\`" "$(bytes "$jar17")"
  row "jpackage app-image, JDK 17, default modules" "\`du -sb\`; \`jpackage --type app-image --main-jar myapp-0.1.0.jar\`" "$(dub "$tmp/jp-default/myapp")"
  row "jpackage app-image, JDK 17, same modules" "\`du -sb\`; the same with \`--add-modules $modules\`" "$(dub "$tmp/jp-modules/myapp")"
  row "Go hello binary" "\`wc -c\`; \`go build -trimpath\`" "$(bytes "$tmp/hello")"
  row "Go hello binary, stripped" "\`wc -c\`; \`go build -trimpath -ldflags='-s -w'\`" "$(bytes "$tmp/hello-stripped")"
  row "full JDK 17 directory" "\`du -sbL $jdk17/\` (dangling symlinks skipped: $(find -L "$jdk17/" -type l 2>/dev/null | wc -l | tr -d ' '))" "$(du -sbL "$jdk17/" 2>/dev/null | cut -f 1)"
  row "… of which \`jmods/\` (used by jlink only)" "\`du -sbL $jdk17/jmods\`" "$(du -sbL "$jdk17/jmods" 2>/dev/null | cut -f 1)"
  row "full JDK 25 directory" "\`du -sbL $jdk25/\`" "$(du -sbL "$jdk25/" 2>/dev/null | cut -f 1)"
  echo
  echo "MB = 10^6 bytes. du -b counts apparent sizes, not disk blocks. jpackage without \`--add-modules\` links"
  echo "its default module set; the second image has the single file's modules."
  echo
} >>"$body"

# --- Spring Boot workload ---------------------------------------------------------------------
say "Spring Boot workload: size, first run, time to ready ..."
{
  echo "### Spring Boot workload (compat/spring-mvc: web, JPA with H2, actuator; JDK 17)"
  echo
  if [ "$spring_status" = ok ]; then
    printf 'spring_single\t%s\nspring_jar\t%s\n' "$(bytes "$spring_single")" "$(bytes "$spring_jar")" >>"$out/sizes.tsv"
    echo "| What | Bytes | MB |"
    echo "|---|---:|---:|"
    echo "| single file \`$(short "$spring_single")\` | $(bytes "$spring_single") | $(mb "$(bytes "$spring_single")") |"
    echo "| its Spring Boot repackaged jar \`$(short "$spring_jar")\` (needs a JDK besides) | $(bytes "$spring_jar") | $(mb "$(bytes "$spring_jar")") |"
    echo
    # Unpacked once into the warm cache first, so that the warm variant is warm even without warmup runs.
    SLIPWAY_CACHE_DIR=$warm SLIPWAY_PREPARE=1 timeout 600 "$spring_single" 2>/dev/null ||
      die "SLIPWAY_PREPARE=1 $spring_single failed"
    # Time to ready: GET /hello (the app's controller) answers 200; SERVER_PORT from PORT for both.
    # At most 3 measured runs and 1 warmup per variant: a Spring Boot start takes seconds, several
    # times that under load, and the three variants would otherwise take longer than the rest.
    spring_runs=$runs; [ "$spring_runs" -le 3 ] || spring_runs=3
    spring_warmup=$warmup; [ "$spring_warmup" -le 1 ] || spring_warmup=1
    if python3 bench/time-to-ready.py --runs "$spring_runs" --warmup "$spring_warmup" --path /hello --ready-timeout 300 \
        --json "$out/spring-time-to-ready.json" \
        --variant 'Spring Boot: java -jar (JDK 17)' -- sh -c "SERVER_PORT=\$PORT exec '$jdk17/bin/java' -jar '$spring_jar'" \
        --variant 'Spring Boot: single file, warm cache' --env "SLIPWAY_CACHE_DIR=$warm" -- \
          sh -c "SERVER_PORT=\$PORT exec '$spring_single'" \
        --variant 'Spring Boot: single file, empty cache (first run)' --fresh-dir-env SLIPWAY_CACHE_DIR -- \
          sh -c "SERVER_PORT=\$PORT exec '$spring_single'"; then
      echo
      echo "Both get SERVER_PORT=\$PORT (service.env is applied by the deploy targets, not by the single"
      echo "file's launcher). Each empty-cache run gets a new empty SLIPWAY_CACHE_DIR (unpack, class-data check)."
      echo "Runs per variant: $spring_runs measured after $spring_warmup warmup (at most 3 and 1)."
    else
      echo "time-to-ready.py failed for the Spring Boot workload (under load 1 min: $(cut -d ' ' -f 1 /proc/loadavg))."
      rm -f "$out/spring-time-to-ready.json"
    fi
  else
    printf 'spring_status\t%s\n' "$(printf '%s' "$spring_status" | tr '\t\n' '  ')" >>"$out/sizes.tsv"
    echo "Not measured: $spring_status. Build log: \$tmp/spring.build.log (last lines):"
    echo
    echo '```'
    tail -n 15 "$tmp/spring.build.log" | sed "s|$tmp/|\$tmp/|g"
    echo '```'
  fi
  echo
} >>"$body"

# --- Build time -------------------------------------------------------------------------------
say "build time: cold ..."
slipway_build() { # the command line of a timed build of the copy $1 (extra options follow)
  app=$1
  shift
  printf '%s\n' env "SLIPWAY_CACHE_DIR=$build_cache" "$timed_slipway" build "$tmp/$app" --version "$version" "$@"
}
jlink_opts="--strip-debug --no-header-files --no-man-pages --compress=2"
# Slipway's default build command (ConfigLoader.DEFAULT_BUILD_COMMAND), timed alone after the same edit.
maven_command="mvn -q -B -DskipTests package org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies"
maven_command="$maven_command org.apache.maven.plugins:maven-dependency-plugin:3.8.1:list -DincludeScope=runtime"
maven_command="$maven_command -DoutputDirectory=target/slipway/lib -DoutputFile=target/slipway/dependencies.txt"
untimed_build() { # untimed_build J NAME: builds the copy appJ into $tmp/NAMEJ.log, or dies
  SLIPWAY_CACHE_DIR=$build_cache "$repo/slipway" build "$tmp/app$1" --version "$version" >"$tmp/$2$1.log" 2>&1 ||
    die "the $2 build of app$1 failed: see $tmp/$2$1.log"
}
# One class changed: Main.java of the copy (never examples/myapp itself) ends in a small class whose
# string constant is new on every edit, so its class file (not only the source) changes; a comment
# alone would leave every class file, and so the jar's classes, as they were.
edit() {
  printf '%s\n' "sed -i '/^final class BenchEdit /d' '$tmp/$1/$main_java' && printf 'final class BenchEdit { static final String AT = \"%s\"; }\\n' \"\$(date +%s%N)\" >>'$tmp/$1/$main_java'"
}
{
  echo "### Build time"
  echo
  echo "Cold: the Slipway build without the runtime cache and without Maven, against jlink alone with the"
  echo "same modules ($modules) and the options the brief names (\`$jlink_opts\`);"
  echo "the third row adds \`--generate-cds-archive\`, which Slipway also passes for the host platform."
  echo
  # shellcheck disable=SC2046,SC2086 # word splitting of the option lists is intended
  python3 bench/time-command.py --runs "$build_runs" --warmup "$build_warmup" --timeout 600 --json "$out/build-cold.json" \
    --variant 'raw jlink (JDK 17)' --fresh-dir-env OUT -- \
      sh -c "exec '$jdk17/bin/jlink' --add-modules $modules $jlink_opts --output \"\$OUT/runtime\"" \
    --variant 'slipway build --no-cache --no-compile (JDK 17)' -- $(slipway_build app17 --no-cache --no-compile) \
    --variant 'raw jlink + --generate-cds-archive (JDK 17)' --fresh-dir-env OUT -- \
      sh -c "exec '$jdk17/bin/jlink' --add-modules $modules $jlink_opts --generate-cds-archive --output \"\$OUT/runtime\"" \
    || die "time-command.py (cold builds) failed"
  echo
} >>"$body"
say "build time: warm ..."
{
  echo "Warm: runtime (and training) cache filled by the first builds. Before every run (not timed)"
  echo "\`$main_java\` of the copy gets a new string constant in a small class at its end (its class file changes); the build then runs Maven"
  echo "(\`mvn -q -B -DskipTests package\`) unless \`--no-compile\`. The JDK 25 build also trains a new AOT"
  echo "cache, since the jar changed."
  echo
  # shellcheck disable=SC2046 # word splitting of the command lines is intended
  python3 bench/time-command.py --runs "$build_runs" --warmup "$build_warmup" --timeout 600 --json "$out/build-warm.json" \
    --variant 'warm: slipway build --no-compile (JDK 17)' --setup "$(edit app17)" -- $(slipway_build app17 --no-compile) \
    --variant 'warm: one class changed, slipway build (JDK 17)' --setup "$(edit app17)" -- $(slipway_build app17) \
    --variant 'warm: one class changed, slipway build (JDK 25, retrains)' --setup "$(edit app25)" -- $(slipway_build app25) \
    --variant 'warm: one class changed, the build command alone (JDK 17)' --setup "$(edit app17)" -- \
      sh -c "cd '$tmp/app17' && exec $maven_command" \
    || die "time-command.py (warm builds) failed"
  echo
  echo "\"The build command alone\" is Slipway's default build command (\`$maven_command\`) after the"
  echo "same edit, so \"one class changed, slipway build\" minus it is Slipway's own work."
  echo
  # The same edit once more, untimed: on JDK 17 it must keep the class list and the AppCDS archive
  # (the archive covers the dependency jars alone, DependenciesFirst), so the row holds no dump.
  eval "$(edit app17)"
  untimed_build 17 edited
  grep -q 'startup cache from the training cache' "$tmp/edited17.log" ||
    die "an edit of one class of app17 trained the class list again: see $tmp/edited17.log"
  grep -q 'the AppCDS archive from the training cache' "$tmp/edited17.log" ||
    die "an edit of one class of app17 dumped the AppCDS archive again: see $tmp/edited17.log"
  echo "Checked after the timed runs: the same edit once more, the JDK 17 build takes its class list and its"
  echo "AppCDS archive (over the dependency jars alone) from the training cache (no training, no dump):"
  echo
  echo '```'
  grep -E 'startup cache from|AppCDS archive from' "$tmp/edited17.log"
  echo '```'
  echo
  # Unchanged sources: one untimed build of each copy records its inputs (the last edit), then the
  # timed builds find nothing changed: what remains is Slipway's own work before a deploy.
  for j in 17 25; do untimed_build "$j" prime; done
  # shellcheck disable=SC2046 # word splitting of the command lines is intended
  python3 bench/time-command.py --runs "$build_runs" --warmup "$build_warmup" --timeout 600 --json "$out/build-unchanged.json" \
    --variant 'unchanged: slipway build (JDK 17, build command skipped)' -- $(slipway_build app17) \
    --variant 'unchanged: slipway build (JDK 25, build command skipped)' -- $(slipway_build app25) \
    || die "time-command.py (unchanged builds) failed"
  echo
  echo "\"Unchanged\" builds follow a build of the same sources: the build command is skipped (its inputs did"
  echo "not change, issue 21) and the training cache gives the startup cache."
  echo
  for j in 17 25; do
    untimed_build "$j" unchanged
    grep -q '^build command skipped: its inputs' "$tmp/unchanged$j.log" ||
      die "an unchanged build of app$j ran the build command: see $tmp/unchanged$j.log"
    grep -q 'startup cache from the training cache' "$tmp/unchanged$j.log" ||
      die "an unchanged build of app$j trained again: see $tmp/unchanged$j.log"
  done
  echo "Checked after the timed runs: an unchanged build of each copy prints \"build command skipped\" and takes"
  echo "its startup cache from the training cache (no Maven run, no training)."
  echo
} >>"$body"

# --- Report -----------------------------------------------------------------------------------
{
  cat "$head"
  echo "### Goals (issues 3 and 21)"
  echo
  python3 bench/goals.py "$out" || die "goals.py failed"
  echo
  cat "$body"
  echo "Raw numbers: $out/{time-to-ready,first-run,build-cold,build-warm,build-unchanged}.json, $out/sizes.tsv"
} >"$out/report.md"
cat "$out/report.md"
