#!/usr/bin/env bash
# Prepares what the linux-arm64 build test needs, from Debian's packages only:
#   - qemu-user-static, registered with binfmt_misc (flag F), so arm64 programs run transparently;
#   - a cross C compiler and arm64 libzstd (static), for the single file's unpacker;
#   - an arm64 JDK (jmods) to link an arm64 runtime with the host's jlink;
#   - an arm64 sysroot holding only dash and the libraries the runtime needs.
# Output: $ROOT/jdk (an arm64 JDK home with jmods/) and $ROOT/sysroot. Idempotent; run as root.
set -euo pipefail
ROOT=${SLIPWAY_ARM64_ROOT:-/var/cache/slipway-testbed/arm64}
export DEBIAN_FRONTEND=noninteractive

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi
need=()
# libc6-dev-arm64-cross: the cross compiler's C library headers and start files, only recommended by
# gcc-aarch64-linux-gnu (without it, under --no-install-recommends, gcc takes the host's /usr/include and
# stops at bits/wordsize.h); the recorded unpacker and probe were built with it.
for pkg in qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu libzstd-dev:arm64; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# binfmt_misc: run arm64 ELF files through qemu, also inside chroots (flag F opens the
# interpreter now). See the kernel's Documentation/admin-guide/binfmt-misc.rst.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' \
    > /proc/sys/fs/binfmt_misc/register
fi

# jlink needs target jmods of its own feature release (17); Debian's archive serves the newest
# update only, which may be newer than the host's JDK, and that is fine for jlink.
stamp="$ROOT/.ready-1"
if [ -e "$stamp" ]; then
  echo "arm64 testbed ready in $ROOT"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  apt-get download -qq openjdk-17-jdk-headless:arm64 openjdk-17-jre-headless:arm64 \
    libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 zlib1g:arm64 dash:arm64
)
rm -rf "$ROOT"
mkdir -p "$ROOT/sysroot" "$work/jdk"
for deb in "$work"/openjdk-17-*.deb; do dpkg-deb -x "$deb" "$work/jdk"; done
mv "$work/jdk/usr/lib/jvm/java-17-openjdk-arm64" "$ROOT/jdk"
for deb in "$work"/libc6_*.deb "$work"/libstdc++6_*.deb "$work"/libgcc-s1_*.deb "$work"/zlib1g_*.deb "$work"/dash_*.deb; do
  dpkg-deb -x "$deb" "$ROOT/sysroot"
done
ln -sf dash "$ROOT/sysroot/bin/sh"
touch "$stamp"
echo "arm64 testbed ready in $ROOT"
