#!/bin/sh
# Installs Slipway from a release made by 'slipway release' (a directory or a URL that holds
# checksums.txt and the slipway_<version>_linux_<arch>.tar.gz archives):
#
#   sh install.sh --from DIR_OR_URL [--version VERSION] [--prefix PREFIX]
#
# It picks the archive of this machine's platform (uname -m: x86_64 or aarch64), copies or
# downloads it, checks its sha256 against checksums.txt, unpacks it into
# PREFIX/lib/slipway/VERSION, makes the trained startup's class-data archive there (JDK 17
# runtimes), and puts the 'slipway' command into PREFIX/bin (default PREFIX: ~/.local, so
# ~/.local/bin/slipway). Nothing else is needed: the archive carries its own Java runtime.
#   --version VERSION   install exactly this version (exit 2 when the release has another)
# The same settings as variables: SLIPWAY_RELEASE, SLIPWAY_VERSION, SLIPWAY_PREFIX.
# Exit codes: 0 installed, 1 failed (download, checksum, unpack), 2 usage.
set -eu

from=${SLIPWAY_RELEASE:-}
version=${SLIPWAY_VERSION:-}
prefix=${SLIPWAY_PREFIX:-}

say() { printf 'install.sh: %s\n' "$*" >&2; }
usage() { say "$*"; say "usage: sh install.sh --from DIR_OR_URL [--version VERSION] [--prefix PREFIX]"; exit 2; }
fail() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --from) [ $# -ge 2 ] || usage "--from needs a directory or URL"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --version) [ $# -ge 2 ] || usage "--version needs a version"; version=$2; shift 2 ;;
    --version=*) version=${1#--version=}; shift ;;
    --prefix) [ $# -ge 2 ] || usage "--prefix needs a directory"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    -h|--help) sed -n '2,15p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[ -n "$from" ] || usage "no release to install from: give --from DIR_OR_URL (or SLIPWAY_RELEASE)"
version=${version#v}
case $version in
  *[!A-Za-z0-9._+-]*) usage "'$version' is not a version" ;;
esac
if [ -z "$prefix" ]; then
  [ -n "${HOME:-}" ] || usage "no HOME to install under: give --prefix"
  prefix=$HOME/.local
fi

case $(uname -s) in
  Linux) ;;
  *) usage "Slipway runs on Linux only (this is $(uname -s))" ;;
esac
case $(uname -m) in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) usage "no Slipway build for $(uname -m); there are linux-amd64 and linux-arm64" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

# fetch NAME DEST: copies NAME from the release directory, or downloads it from the release URL.
fetch() {
  case $from in
    http://*|https://*)
      if command -v curl >/dev/null 2>&1; then
        curl -fsSL -o "$2" "${from%/}/$1" || fail "cannot download ${from%/}/$1"
      elif command -v wget >/dev/null 2>&1; then
        wget -q -O "$2" "${from%/}/$1" || fail "cannot download ${from%/}/$1"
      else
        fail "neither curl nor wget is installed to download ${from%/}/$1"
      fi ;;
    file://*) cp "${from#file://}/$1" "$2" 2>/dev/null || fail "no $1 in ${from#file://}" ;;
    *) cp "$from/$1" "$2" 2>/dev/null || fail "no $1 in $from" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 "$1" | sed 's/^.*= *//'
  else
    fail "no sha256sum, shasum or openssl to check the download with"
  fi
}

fetch checksums.txt "$work/checksums.txt"
# The archive of this platform: "<sha256>  slipway_<version>_linux_<arch>.tar.gz".
lines=$(grep -E "^[0-9a-f]{64}  slipway_[A-Za-z0-9._+-]+_linux_${arch}\.tar\.gz\$" "$work/checksums.txt" || true)
[ -n "$lines" ] || fail "no linux-$arch archive in $from/checksums.txt"
if [ -n "$version" ]; then
  line=$(printf '%s\n' "$lines" | grep -F "  slipway_${version}_linux_${arch}.tar.gz" || true)
  if [ -z "$line" ]; then
    say "$from holds $(printf '%s\n' "$lines" | sed 's/^.*  slipway_//; s/_linux_.*$//' | tr '\n' ' ')and not $version"
    exit 2
  fi
else
  [ "$(printf '%s\n' "$lines" | wc -l)" -eq 1 ] || usage "$from holds several versions: give --version"
  line=$lines
fi
sum=${line%% *}
archive=${line##* }
top=${archive%.tar.gz}
version=${top#slipway_}
version=${version%_linux_*}

say "installing slipway $version (linux-$arch) from $from into $prefix"
fetch "$archive" "$work/$archive"
got=$(sha256 "$work/$archive")
[ "$got" = "$sum" ] || fail "$archive has sha256 $got, not $sum as checksums.txt says: not installed"

lib=$prefix/lib/slipway
mkdir -p "$lib" "$prefix/bin" || fail "cannot create $lib and $prefix/bin"
lib=$(cd "$lib" && pwd -P)
staging=$lib/.$version.tmp.$$
rm -rf "$staging"
mkdir "$staging"
gzip -dc "$work/$archive" | (cd "$staging" && tar -xf -) || fail "cannot unpack $archive"
[ -x "$staging/$top/bin/slipway" ] || fail "$archive holds no $top/bin/slipway"

# Trained startup on a JDK 17-19 runtime: the class-data archive records the class path, so it is
# dumped where the layout stays, as the single file's unpacker does on its first run
# (app/app.jsa.args: one argument a line, @HOME@ for the layout's directory).
home=$lib/$version
if [ -f "$staging/$top/app/app.jsa.args" ]; then
  set --
  while IFS= read -r arg || [ -n "$arg" ]; do
    [ -n "$arg" ] || continue
    out=
    while :; do
      case $arg in
        *@HOME@*) out=$out${arg%%@HOME@*}$home; arg=${arg#*@HOME@} ;;
        *) out=$out$arg; break ;;
      esac
    done
    set -- "$@" "$out"
  done <"$staging/$top/app/app.jsa.args"
fi

rm -rf "$home.old"
if [ -e "$home" ]; then
  mv "$home" "$home.old"
fi
mv "$staging/$top" "$home" || fail "cannot move the layout to $home"
rm -rf "$staging" "$home.old"
if [ -f "$home/app/app.jsa.args" ]; then
  if "$home/runtime/bin/java" "$@" "-XX:SharedArchiveFile=$home/app/app.jsa.tmp" >"$home/app/app.jsa.log" 2>&1 &&
    [ -s "$home/app/app.jsa.tmp" ]; then
    mv "$home/app/app.jsa.tmp" "$home/app/app.jsa"
  else
    rm -f "$home/app/app.jsa.tmp"
    say "warning: the class-data archive was not made (see $home/app/app.jsa.log); slipway starts slower"
  fi
fi

# The command: a two-line script, since the layout's launcher finds its runtime beside itself.
cmd=$prefix/bin/slipway
quoted=$(printf '%s' "$home" | sed "s/'/'\\\\''/g")
printf '#!/bin/sh\nexec '"'"'%s/bin/slipway'"'"' "$@"\n' "$quoted" >"$cmd.tmp.$$"
chmod 755 "$cmd.tmp.$$"
mv "$cmd.tmp.$$" "$cmd"

"$cmd" version >/dev/null || fail "the installed $cmd does not run"
say "installed $cmd ($version)"
case :${PATH:-}: in
  *:"$prefix/bin":*) ;;
  *) say "add $prefix/bin to PATH, e.g.: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
