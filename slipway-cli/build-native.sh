#!/bin/sh
# Rebuilds the C helpers Slipway carries prebuilt (the single file's first-run unpacker, the
# image's readiness probe and the image's entrypoint, for linux-amd64 and linux-arm64) into
# src/main/resources/dev/slipway/native/, with their sha256 record (SHA256SUMS, sha256sum -c form)
# and the compilers used (BUILT-WITH). Run it after changing unpack.c, probe.c or start.c;
# NativeHelpersTest fails until then. Users of Slipway never need it: only building these programs needs gcc.
# Needs: gcc and libzstd-dev (amd64), gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and libzstd-dev:arm64 (testbed/arm64.sh
# installs them). The same compilers give the same bytes (Debian 12's are what the record holds).
set -eu
module=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$module")
# The CLI's classes hold the compile recipe (dev.slipway.build.Unpacker): build them if needed.
"$repo/slipway" version >/dev/null
out=$module/src/main/resources/dev/slipway/native
mkdir -p "$out"
java=java
if [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
fi
"$java" -cp "$module/target/slipway.jar:$module/target/lib/*" dev.slipway.build.NativeHelpers "$out"
(cd "$out" && sha256sum -c --quiet SHA256SUMS)
