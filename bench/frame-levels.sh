#!/usr/bin/env bash
# Issue 21's size row by frame: what each zstd frame of a single file's payload (runtime,
# dependency jars, startup archive, the rest of the app) weighs and costs in CPU at other levels
# (bench/FrameLevels.java). Run from the repository root after the ./slipway launcher (or
# `mvn -q -B -pl slipway-cli -DskipTests package`) has built slipway-cli/target:
#   bench/frame-levels.sh LAYOUT [SETTING ...]
# LAYOUT is an unpacked single file (its directory under ~/.cache/slipway/run/, or an image's
# /opt/<name>), with runtime/ and app/. SETTING: LEVEL[:wLOG][:nold][:jLOG]; default 9 12 15 17 19.
# Prints a Markdown table on stdout. The whole default run takes 3-5 minutes of CPU for myapp's
# JDK 25 layout (level 19 on its 68 MB runtime is most of it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/frame-levels.sh LAYOUT [SETTING ...]" >&2; exit 2; }
[ -d "$1/runtime" ] && [ -d "$1/app" ] || { echo "bench/frame-levels.sh: $1 has no runtime/ and app/" >&2; exit 2; }
ls slipway-cli/target/lib/zstd-jni-*.jar >/dev/null 2>&1 ||
  { echo "bench/frame-levels.sh: build slipway-cli first (./slipway version)" >&2; exit 1; }
java=${JAVA:-java}
exec "$java" --enable-native-access=ALL-UNNAMED -cp "slipway-cli/target/lib/*" bench/FrameLevels.java "$@"
