#!/bin/sh
# @NAME@ @VERSION@ for @PLATFORM@: a single-file executable made by Slipway.
# This POSIX sh stub is followed by a zstd payload that holds a Java runtime and the app.
# The first run unpacks the payload once into a cache keyed by its hash; later runs exec java
# straight away, so the process keeps this PID and receives signals itself.
# Environment: JAVA_OPTS (extra JVM options), SLIPWAY_CACHE_DIR (cache root),
# SLIPWAY_VERBOSE=1 (report unpacking on stderr), SLIPWAY_PREPARE=1 (prepare mode: make the first
# run's unpacking and class-data archive, report them on stderr, exit 0; the app is not started).
set -eu
slipway_key='@KEY@'
slipway_offset='@OFFSET@'
slipway_prepare=
if [ "${SLIPWAY_PREPARE:-}" = 1 ]; then
  slipway_prepare=1
  echo "slipway: preparing @NAME@ @VERSION@ (unpack, class-data archive); the app is not started" >&2
fi

@RUN_FUNCTION@

# Whether the unpacked tree $1 is whole: every file of the payload is there with the payload's one
# time (a build's is fixed, 1970-01-01T00:00:01Z), which the unpacker gives them all and which any
# write changes. Builtins only (no fork). A tree that fails goes to the unpacker, which checks
# sizes too and unpacks a damaged tree again.
# -nt and -ot are in every sh this runs under (dash, bash, busybox ash), though not in POSIX.
slipway_intact() {
  for slipway_f in @FILES@; do
    # shellcheck disable=SC3013
    [ -f "$1/$slipway_f" ] && ! [ "$1/$slipway_f" -nt "$1/@REF@" ] && ! [ "$1/$slipway_f" -ot "$1/@REF@" ] || return 1
  done
}

if [ -n "${SLIPWAY_CACHE_DIR:-}" ]; then
  slipway_root=$SLIPWAY_CACHE_DIR
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
  slipway_root=$XDG_CACHE_HOME/slipway
elif [ -n "${HOME:-}" ] && [ "$HOME" != / ]; then
  slipway_root=$HOME/.cache/slipway
else
  # No per-user cache: the unpacker picks $TMPDIR/slipway-<uid>, which it checks is this user's.
  slipway_root=
fi
if [ -z "$slipway_prepare" ] && [ -n "$slipway_root" ] && [ -f "$slipway_root/run/$slipway_key/.slipway-complete" ] &&
  slipway_intact "$slipway_root/run/$slipway_key"; then
  slipway_run "$slipway_root/run/$slipway_key" "$@"
fi

# First run (or a cache that is not this user's). A POSIX shell can neither inflate nor mkdir,
# so a small unpacker (glibc only) is written out with printf into the first directory that
# takes it, and run through the dynamic loader, which needs no exec bit.
slipway_unpacker=
for slipway_dir in "${TMPDIR:-/tmp}" /var/tmp /dev/shm "$slipway_root" .; do
  if [ -n "$slipway_dir" ] && [ -d "$slipway_dir" ] && [ -w "$slipway_dir" ] &&
    (set -C && umask 077 && printf '@UNPACKER@' >"$slipway_dir/.slipway-unpack.$$") 2>&-; then
    slipway_unpacker=$slipway_dir/.slipway-unpack.$$
    break
  fi
done
if [ -z "$slipway_unpacker" ]; then
  echo "@NAME@: no writable directory for the first-run unpacker; set TMPDIR or SLIPWAY_CACHE_DIR" >&2
  exit 1
fi
slipway_home=$('@LOADER@' "$slipway_unpacker" "$0" "$slipway_offset" "$slipway_key" "$slipway_root" "$slipway_unpacker")
if [ -n "$slipway_prepare" ]; then
  echo "slipway: @NAME@ @VERSION@ is prepared in $slipway_home" >&2
  exit 0
fi
slipway_run "$slipway_home" "$@"
exit 1
