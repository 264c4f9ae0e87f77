#!/usr/bin/env bash
# Prepares a root of an older Linux distribution for the test that runs a single file on an older
# glibc than the build machine's (OldGlibcTest): Debian 11 (bullseye, glibc 2.31, as Ubuntu 20.04
# has), minbase, built once with debootstrap from this machine's Debian mirror and kept in
# $ROOT. The tests never change it: they run in a mount namespace with their own /tmp over it.
# Idempotent; run as root. Output: $ROOT (prints its path).
set -euo pipefail
ROOT=${SLIPWAY_OLDROOT:-/var/cache/slipway-testbed/bullseye}
SUITE=bullseye
stamp="$ROOT/.slipway-oldroot-1"

die() { echo "oldroot.sh: $*" >&2; exit 1; }

if [ -e "$stamp" ]; then
  echo "$ROOT"
  exit 0
fi
command -v debootstrap >/dev/null || die "debootstrap is not installed"
# The mirror this machine's apt uses for its own (bookworm) packages serves the older suite too.
# shellcheck disable=SC2016 # $(...) is apt's field syntax, not the shell's
url=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 2>/dev/null | awk '$2 == "bookworm" { print $1; exit }')
[ -n "$url" ] || die "no bookworm mirror in this machine's apt sources (apt-get update first?)"
mkdir -p "$(dirname "$ROOT")"
work=$(mktemp -d "$(dirname "$ROOT")/.oldroot.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "oldroot.sh: building a $SUITE root with debootstrap from $url (once; a few minutes)" >&2
debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$url" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap $SUITE failed"; }
touch "$work/rootfs/.slipway-oldroot-1"
rm -rf "$ROOT"
mv "$work/rootfs" "$ROOT"
echo "$ROOT"
