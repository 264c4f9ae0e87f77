#!/bin/sh
# Benchmarks the projects of the compatibility suite (compat/): for each, the size of Slipway's
# single file against the framework's own fat/uber jar, and the time to ready (spawn -> first HTTP
# 200 on the project's GET /hello) of the single file against `java -jar` of that jar on the same
# JDK, one measured run each after one unreported warmup run each (the warmup also makes the single
# file's first-run unpack and, on JDK 17, its AppCDS dump). Works in temporary copies, never in
# compat/. Prints a Markdown report on stdout; progress and build output go to stderr and to
# <out>/<app>.log. See bench/README.md ("Compatibility suite apps").
set -eu

usage() {
  cat <<'EOF'
Usage: bench/compat.sh [--out DIR] [APP ...]

  APP        projects under compat/ (default: all of them)
  --out DIR  where the logs, JSON files and report.md go (default bench/results/compat-<UTC time>)

Environment: JDK17 (default /usr/lib/jvm/java-17-openjdk-amd64) and JDK21 (a JDK 21+ for
Helidon 4; default /usr/lib/jvm/temurin-25-jdk-amd64). Needs Maven, git and Python 3.
EOF
}

die() {
  echo "compat.sh: $*" >&2
  exit 1
}
say() { echo "compat.sh: $*" >&2; }

root=$(cd "$(dirname "$0")/.." && pwd)
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK21=${JDK21:-/usr/lib/jvm/temurin-25-jdk-amd64}
out=
apps=
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || die "--out needs a value"; out=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option: $1" ;;
    *) [ -d "$root/compat/$1" ] || die "no project compat/$1"; apps="$apps $1" ;;
  esac
  shift
done
[ -n "$apps" ] || apps=$(cd "$root/compat" && for d in */; do printf '%s ' "${d%/}"; done)
[ -x "$JDK17/bin/java" ] || die "JDK17=$JDK17 has no bin/java"
out=${out:-$root/bench/results/compat-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-compat-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cache="$tmp/cache" # the single files' unpack cache (SLIPWAY_CACHE_DIR), warmed by the warmup run

mb() { awk -v b="$1" 'BEGIN { printf (b < 1e6 ? "%.3f" : "%.1f"), b / 1e6 }'; }

# copy APP DEST: the project without build output, in a fresh git repository (as the suite does).
copy() {
  mkdir -p "$2"
  (cd "$root/compat/$1" && tar --exclude=./target --exclude=./build --exclude=./dist --exclude=./.slipway \
    --exclude=./slipway.yaml -cf - .) | (cd "$2" && tar -xf -)
  (cd "$2" && git init -q -b main && git add -A && git -c user.name=bench -c user.email=bench@slipway.invalid \
    commit -q -m "$1 for bench/compat.sh")
}

# The environment that gives each framework its port ($PORT from time-to-ready.py), the same for
# both variants. Dropwizard's java -jar gets, before -jar, the -Ddw.server.* options init writes into
# build.jvmOptions (one "simple" server whose connector listens on $PORT: the archetype's config.yml
# has no server section, so there is no applicationConnectors[0] to override); the single file has
# them in its launcher.
port_env() {
  case $1 in
    spring-*) echo SERVER_PORT ;;
    quarkus-*) echo QUARKUS_HTTP_PORT ;;
    micronaut) echo MICRONAUT_SERVER_PORT ;;
    helidon-se) echo SERVER_PORT ;;
    *) echo PORT ;;
  esac
}
# shellcheck disable=SC2016 # $PORT is expanded by the sh -c of each run
dw_props='-Ddw.server.type=simple -Ddw.server.applicationContextPath=/ -Ddw.server.connector.type=http -Ddw.server.connector.port=$PORT'

rows=
for app in $apps; do
  log="$out/$app.log"
  : > "$log"
  java_home=$JDK17
  [ "$app" = helidon-se ] && java_home=$JDK21
  java="$java_home/bin/java"
  say "$app: slipway init + build (log: $log)"
  copy "$app" "$tmp/$app-sf"
  status=ok
  if ! (cd "$tmp/$app-sf" && JAVA_HOME=$java_home "$root/slipway" init . --port 8080 &&
        JAVA_HOME=$java_home "$root/slipway" build "$(dirname "$(find . -maxdepth 3 -name slipway.yaml | head -n 1)")") >> "$log" 2>&1; then
    status="slipway build failed: $(grep -m 1 -E '^slipway:|ERROR|Exception' "$log" | cut -c1-150)"
  fi
  sf=
  if [ "$status" = ok ]; then
    sf=$(find "$tmp/$app-sf" -path '*/dist/*_linux_amd64/*' -type f -perm -u+x | head -n 1)
    [ -n "$sf" ] || status="no single file in dist/"
  fi

  say "$app: the framework's own fat jar"
  copy "$app" "$tmp/$app-jar"
  j="$tmp/$app-jar"
  args=
  case $app in
    quarkus-*) build="mvn -q -B -DskipTests package -Dquarkus.package.jar.type=uber-jar" ;;
    gradle-app) build="./gradlew installDist" ;;
    *) build="mvn -q -B -DskipTests package" ;;
  esac
  (cd "$j" && JAVA_HOME=$java_home $build) >> "$log" 2>&1 || die "$app: '$build' failed, see $log"
  what=
  case $app in
    spring-*) jar=$(ls "$j"/target/*.jar); what="Spring Boot repackaged jar" ;;
    quarkus-*) jar=$(ls "$j"/target/*-runner.jar); what="Quarkus uber-jar" ;;
    micronaut) jar="$j/target/micronaut-0.1.jar"; what="shaded jar (micronaut-parent)" ;;
    javalin) jar=$(ls "$j"/target/*-jar-with-dependencies.jar); what="assembly jar-with-dependencies" ;;
    dropwizard) jar="$j/target/dropwizard-1.0-SNAPSHOT.jar"; what="shaded jar"; args="server $j/config.yml" ;;
    helidon-se) jar="$j/target/helidon-se.jar"; what="thin jar + target/libs (Helidon has no fat jar)" ;;
    reactor) jar=; what="app jar + library jar (no fat jar)" ;;
    gradle-app) jar=; what="installDist lib/ (no fat jar)" ;;
    plain-exec) jar="$j/target/plain-exec-1.0-SNAPSHOT.jar"; what="plain jar run as mvn exec:java runs it (no fat jar)" ;;
    *) die "$app: no fat-jar rule" ;;
  esac
  case $app in
    helidon-se) size=$(du -sb "$jar" "$j/target/libs" | awk '{ s += $1 } END { print s }') ;;
    reactor) size=$(du -cb "$j"/app/target/app-*.jar "$j"/greeting-lib/target/greeting-lib-*.jar | tail -n 1 | cut -f1) ;;
    gradle-app) size=$(du -sb "$j/build/install/gradle-app/lib" | cut -f1) ;;
    *) size=$(wc -c < "$jar") ;;
  esac
  case $app in
    reactor) jcmd="exec $java -cp $j/app/target/app-1.0.0-SNAPSHOT.jar:$j/greeting-lib/target/greeting-lib-1.0.0-SNAPSHOT.jar com.example.app.Main" ;;
    gradle-app) jcmd="JAVA_HOME=$java_home exec $j/build/install/gradle-app/bin/gradle-app" ;;
    dropwizard) jcmd="exec $java $dw_props -jar $jar $args" ;;
    plain-exec) jcmd="cd $j && exec $java -cp $jar com.example.hello.HelloServer conf/hello.properties" ;;
    *) jcmd="exec $java -jar $jar" ;;
  esac
  var=$(port_env "$app")
  jvariant="export $var=\$PORT; $jcmd"

  if [ "$status" != ok ]; then
    rows="$rows| $app | $what | $(mb "$size") | — | — | — | — | $status |
"
    continue
  fi
  sfsize=$(wc -c < "$sf")
  # The single file needs no port mapping of its own for Dropwizard: the -Ddw.server.* options init
  # wrote (simple server, connector port ${PORT}) are in its launcher.
  if [ "$app" = dropwizard ]; then
    svariant="exec $sf"
  else
    svariant="export $var=\$PORT; exec $sf"
  fi
  say "$app: time to ready, java -jar against the single file"
  if python3 "$root/bench/time-to-ready.py" --runs 1 --warmup 1 --path /hello --ready-timeout 180 \
      --json "$out/$app-ttr.json" \
      --variant "java -jar" -- sh -c "$jvariant" \
      --variant "single file" --env "SLIPWAY_CACHE_DIR=$cache" -- sh -c "$svariant" \
      > "$out/$app-ttr.md" 2>> "$log"; then
    read -r jms sms <<EOF
$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["variants"]; print(v[0]["median_ms"], v[1]["median_ms"])' "$out/$app-ttr.json")
EOF
    ratio=$(awk -v a="$sms" -v b="$jms" 'BEGIN { printf "%.2f", a / b }')
    rows="$rows| $app | $what | $(mb "$size") | $(mb "$sfsize") | $(printf '%.0f' "$jms") | $(printf '%.0f' "$sms") | $ratio | ok |
"
  else
    rows="$rows| $app | $what | $(mb "$size") | $(mb "$sfsize") | — | — | — | time to ready failed: $(grep -m 1 'time-to-ready:' "$log" | cut -c1-150) |
"
  fi
done

{
  echo "Compatibility suite apps: single file against the framework's own jar. Time to ready: spawn →"
  echo "first HTTP 200 on GET /hello, one measured run per variant after one warmup run each, same JDK"
  echo "($JDK17; Helidon: $JDK21). Sizes in MB (10^6 bytes); the jar needs a JDK besides, the single"
  echo "file does not."
  echo
  echo "| app | the framework's own artifact | its size (MB) | single file (MB) | java -jar ready (ms) | single file ready (ms) | single ÷ jar | status |"
  echo "|---|---|---:|---:|---:|---:|---:|---|"
  printf '%s' "$rows"
  echo
  echo "Command: \`bench/compat.sh$(for a in $apps; do printf ' %s' "$a"; done)\`; load average (1/5/15 min) at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores."
} | tee "$out/report.md"
