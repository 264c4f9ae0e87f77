#!/bin/sh
# @NAME@ @VERSION@ for @PLATFORM@, made by Slipway: starts the app on the bundled Java runtime.
# Environment: JAVA_OPTS (extra JVM options).
set -eu

@RUN_FUNCTION@

case $0 in
  */*) slipway_bin=${0%/*} ;;
  *) slipway_bin=. ;;
esac
slipway_run "$(cd "$slipway_bin/.." && pwd -P)" "$@"
