#!/usr/bin/env bash
# Test hosts for the `hosts` deploy target: real Debian machines with systemd and OpenSSH's sshd,
# booted with systemd-nspawn from one cached rootfs (no Java in it). See testbed/README.md.
#
#   hosts.sh prepare
#       Builds the rootfs once (debootstrap, Debian bookworm, minbase) and a test SSH client key,
#       under $SLIPWAY_HOSTS_CACHE (default /var/cache/slipway-testbed/hosts). Idempotent.
#   hosts.sh up N [--prefix NAME] [--base 127.0.1.] [--first K] [--netns LIST] [--netns-first O] [--port P]
#       Boots hosts NAME1..NAMEN (volatile: the rootfs is a read-only lower layer under a tmpfs, so
#       nothing they write survives and booting copies nothing). Host i listens with sshd on
#       BASE(K+i-1):P; hosts whose number is in the comma separated LIST get their own network
#       namespace with a veth pair instead, and then listen on 169.254.O.2 (O = O0+i-1, O0 given by
#       --netns-first, default K; the namespace is swnO). Test runs derive NAME, BASE and O0 from a
#       slot of their own (TestbedSlot), so two runs never share a host, an address or a namespace.
#       Waits until every sshd accepts the test key, then writes into the state directory
#       $SLIPWAY_HOSTS_RUN/NAME (default /run/slipway-testbed/NAME):
#         hosts                 one line per host: name address port pid
#         known_hosts           plain entries for every host key of every host
#         known_hosts.hashed    the same, hashed (ssh-keygen -H: |1|salt|hash)
#         NAMEi/                host keys, sshd drop-in, console.log of host i
#   hosts.sh down [--prefix NAME]
#       Stops the hosts of that prefix (SIGTERM = orderly poweroff, SIGKILL after 20 s) and removes
#       their network namespaces.
#   hosts.sh link NAMEi up|down [--prefix NAME]
#       Sets the host side of a netns host's veth link up or down (to cut its network).
#   hosts.sh key
#       Prints the path of the test client's private key (ed25519; id_ecdsa next to it).
#
# Runs as root. Every wait is bounded.
set -euo pipefail

CACHE=${SLIPWAY_HOSTS_CACHE:-/var/cache/slipway-testbed/hosts}
RUN=${SLIPWAY_HOSTS_RUN:-/run/slipway-testbed}
ROOTFS=$CACHE/rootfs
PACKAGES=systemd,systemd-sysv,openssh-server,dbus,curl,procps,iproute2,nginx-light
# Written into the rootfs; a cached rootfs built with another package list is rebuilt.
STAMP=etc/slipway-testbed.packages

die() { echo "hosts.sh: $*" >&2; exit 2; }

# The Debian mirror this machine's apt already uses, so no host name lives in the repository.
mirror() {
  local url
  # shellcheck disable=SC2016 # $(...) is apt's field syntax, not the shell's
  url=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 2>/dev/null | awk '$2 == "bookworm" { print $1; exit }')
  [ -n "$url" ] || die "no bookworm mirror in this machine's apt sources (apt-get update first?)"
  echo "$url"
}

prepare() {
  command -v debootstrap >/dev/null || die "debootstrap is not installed"
  command -v systemd-nspawn >/dev/null || die "systemd-nspawn is not installed (package systemd-container)"
  mkdir -p "$CACHE"
  # One prepare at a time (test classes and sessions may start together); bounded wait.
  exec 9>"$CACHE/.prepare.lock"
  flock -w 900 9 || die "another prepare holds $CACHE/.prepare.lock for more than 15 minutes"
  if [ -d "$ROOTFS" ] && [ "$(cat "$ROOTFS/$STAMP" 2>/dev/null)" != "$PACKAGES" ]; then
    echo "hosts.sh: the cached rootfs lacks packages of '$PACKAGES'; building it again" >&2
    local old
    old=$(mktemp -d "$CACHE/.build.XXXXXX")
    mv "$ROOTFS" "$old/rootfs"
    rm -rf "$old"
  fi
  if [ ! -d "$ROOTFS" ]; then
    local work url
    url=$(mirror)
    work=$(mktemp -d "$CACHE/.build.XXXXXX")
    # shellcheck disable=SC2064 # expand now: the trap must remove this build's directory
    trap "rm -rf '$work'" EXIT
    echo "hosts.sh: building the rootfs with debootstrap from $url (once; a few minutes)" >&2
    debootstrap --variant=minbase --include="$PACKAGES" bookworm "$work/rootfs" "$url" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    configure_rootfs "$work/rootfs"
    echo "$PACKAGES" > "$work/rootfs/$STAMP"
    # The rename is the commit point: an interrupted build leaves only a .build.* directory.
    mv "$work/rootfs" "$ROOTFS"
    rm -rf "$work"
    trap - EXIT
  fi
  # Stale build directories of interrupted runs.
  find "$CACHE" -maxdepth 1 -name '.build.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  if [ ! -f "$CACHE/id_ed25519" ]; then
    rm -f "$CACHE/id_ed25519" "$CACHE/id_ed25519.pub" "$CACHE/id_ecdsa" "$CACHE/id_ecdsa.pub"
    ssh-keygen -q -t ecdsa -b 256 -N '' -C slipway-testbed -f "$CACHE/id_ecdsa"
    ssh-keygen -q -t ed25519 -N '' -C slipway-testbed -f "$CACHE/id_ed25519.tmp"
    mv "$CACHE/id_ed25519.tmp.pub" "$CACHE/id_ed25519.pub"
    mv "$CACHE/id_ed25519.tmp" "$CACHE/id_ed25519"
  fi
  cat "$CACHE/id_ed25519.pub" "$CACHE/id_ecdsa.pub" > "$CACHE/authorized_keys"
  chmod 0644 "$CACHE/authorized_keys"
  echo "hosts testbed ready in $CACHE"
}

# Settings baked into the rootfs: they are the same for every host.
configure_rootfs() {
  local r=$1
  # The image's own host keys would be shared by every host; each host gets its own at boot.
  rm -f "$r"/etc/ssh/ssh_host_*
  mkdir -p "$r/root/.ssh" "$r/etc/ssh/testbed"
  chmod 0700 "$r/root/.ssh" "$r/etc/ssh/testbed"
  touch "$r/root/.ssh/authorized_keys"
  # Nothing on a console; no time syncing or other services a test host does not need.
  for unit in getty.target console-getty.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer \
      e2scrub_all.timer fstrim.timer; do
    ln -sf /dev/null "$r/etc/systemd/system/$unit"
  done
  # nginx is there for tests that use a host as the proxy (canary weights); it starts only when a
  # test starts it, with its own configuration: the hosts share one network, and the packaged
  # site would make every host bind port 80.
  rm -f "$r/etc/systemd/system/multi-user.target.wants/nginx.service" "$r/etc/nginx/sites-enabled/default"
  # The host name is the machine name nspawn gives (-M); an /etc/hostname would override it.
  rm -f "$r/etc/hostname"
  # ssh.service's ExecStartPre runs `sshd -t`; it must see the drop-in bound at boot.
}

# up N [--prefix NAME] [--base 127.0.1.] [--first K] [--netns LIST] [--port P]
up() {
  local count=${1:-}; shift || true
  [[ "$count" =~ ^[1-9][0-9]*$ ]] || die "usage: up N [--prefix NAME] [--base 127.0.1.] [--first K] [--netns LIST] [--port P]"
  local prefix=host base=127.0.1. first=1 netns="" port=22 netns_first=""
  while [ $# -gt 0 ]; do
    case $1 in
      --prefix) prefix=$2; shift 2 ;;
      --netns-first) netns_first=$2; shift 2 ;;
      --base) base=$2; shift 2 ;;
      --first) first=$2; shift 2 ;;
      --netns) netns=,$2,; shift 2 ;;
      --port) port=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ "$prefix" =~ ^[a-z][a-z0-9-]{0,20}$ ]] || die "--prefix must be a short lower-case name"
  # --base 127.0.1.11 is short for --base 127.0.1. --first 11
  if [[ "$base" =~ ^(127\.[0-9]+\.[0-9]+\.)([0-9]+)$ ]]; then
    base=${BASH_REMATCH[1]}
    first=${BASH_REMATCH[2]}
  fi
  [[ "$base" =~ ^127\.[0-9]+\.[0-9]+\.$ ]] || die "--base must look like 127.0.1. or 127.0.1.11"
  netns_first=${netns_first:-$first}
  if ! [[ "$netns_first" =~ ^[0-9]+$ ]] || [ $((netns_first + count - 1)) -gt 254 ]; then
    die "--netns-first O: O+N-1 must be at most 254"
  fi
  if ! [[ "$first" =~ ^[0-9]+$ ]] || [ $((first + count - 1)) -gt 254 ]; then
    die "--first K: K+N-1 must be at most 254"
  fi
  if [ ! -d "$ROOTFS" ] || [ ! -f "$CACHE/id_ed25519" ]; then
    die "run '$0 prepare' first"
  fi
  local state=$RUN/$prefix
  if [ -f "$state/hosts" ]; then
    down_prefix "$prefix"
  fi
  rm -rf "$state"
  mkdir -p "$state"
  chmod 0700 "$state"
  : > "$state/hosts.tmp"
  : > "$state/known_hosts"

  local i
  for ((i = 1; i <= count; i++)); do
    local name=$prefix$i octet=$((first + i - 1)) dir addr nsargs=()
    dir=$state/$name
    mkdir -p "$dir/keys" "$dir/sshd"
    chmod 0700 "$dir/keys"
    addr=$base$octet
    if [[ "$netns" == *",$i,"* ]]; then
      local nsoctet=$((netns_first + i - 1))
      addr=169.254.$nsoctet.2
      make_netns "$nsoctet"
      nsargs=(--network-namespace-path="/run/netns/swn$nsoctet")
    fi
    # Host keys: RSA at 2048 bits, as generating 3072-bit keys takes seconds on a small machine.
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/keys/ssh_host_ed25519_key"
    ssh-keygen -q -t ecdsa -b 256 -N '' -C "$name" -f "$dir/keys/ssh_host_ecdsa_key"
    ssh-keygen -q -t rsa -b 2048 -N '' -C "$name" -f "$dir/keys/ssh_host_rsa_key"
    for type in ed25519 ecdsa rsa; do
      printf '%s %s\n' "$(endpoint "$addr" "$port")" "$(cut -d' ' -f1,2 "$dir/keys/ssh_host_${type}_key.pub")" >> "$state/known_hosts"
    done
    {
      echo "# slipway testbed: $name"
      echo "ListenAddress $addr:$port"
      for type in ed25519 ecdsa rsa; do echo "HostKey /etc/ssh/testbed/ssh_host_${type}_key"; done
      echo "PermitRootLogin prohibit-password"
      echo "PasswordAuthentication no"
      echo "UseDNS no"
    } > "$dir/sshd/slipway-testbed.conf"
    # setsid: the host outlives this script and gets its own process group for `down`.
    # --volatile=overlay instead of --ephemeral: on a non-btrfs file system --ephemeral copies the
    # whole rootfs per host (2 to 12 s each here); an overlay with a tmpfs upper layer copies nothing.
    setsid systemd-nspawn -D "$ROOTFS" -M "$name" --volatile=overlay --boot --register=no --keep-unit \
      --console=passive "${nsargs[@]}" \
      --bind-ro="$dir/sshd:/etc/ssh/sshd_config.d" \
      --bind-ro="$dir/keys:/etc/ssh/testbed" \
      --bind-ro="$CACHE/authorized_keys:/root/.ssh/authorized_keys" \
      </dev/null >"$dir/console.log" 2>&1 &
    echo "$name $addr $port $!" >> "$state/hosts.tmp"
  done
  cp "$state/known_hosts" "$state/known_hosts.hashed"
  ssh-keygen -q -H -f "$state/known_hosts.hashed" >/dev/null 2>&1
  rm -f "$state/known_hosts.hashed.old"
  mv "$state/hosts.tmp" "$state/hosts"

  # Wait (at most 90 s for all) until each sshd accepts the test key.
  local deadline=$((SECONDS + 90)) name addr hport pid
  while read -r name addr hport pid; do
    until ssh -q -n -i "$CACHE/id_ed25519" -p "$hport" -o BatchMode=yes -o ConnectTimeout=2 \
        -o UserKnownHostsFile="$state/known_hosts" -o StrictHostKeyChecking=yes "root@$addr" true 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$state/$name/console.log" >&2
        die "$name exited while booting (console: $state/$name/console.log)"
      fi
      if [ $SECONDS -ge $deadline ]; then
        tail -n 20 "$state/$name/console.log" >&2
        die "$name: sshd on $addr:$hport did not answer within 90 s"
      fi
      sleep 0.3
    done
  done < "$state/hosts"
  cat "$state/hosts"
}

# known_hosts names a non-default port as [addr]:port (sshd(8), SSH_KNOWN_HOSTS FILE FORMAT).
endpoint() {
  if [ "$2" = 22 ]; then echo "$1"; else echo "[$1]:$2"; fi
}

# A network namespace swnO with a veth pair: swhO (here, 169.254.O.1/30) <-> eth0 (there, .2).
make_netns() {
  local o=$1
  del_netns "$o"
  ip netns add "swn$o"
  ip link add "swh$o" type veth peer name eth0 netns "swn$o"
  ip addr add "169.254.$o.1/30" dev "swh$o"
  ip link set "swh$o" up
  ip -n "swn$o" addr add "169.254.$o.2/30" dev eth0
  ip -n "swn$o" link set lo up
  ip -n "swn$o" link set eth0 up
}

del_netns() {
  ip link del "swh$1" 2>/dev/null || true
  ip netns del "swn$1" 2>/dev/null || true
}

down_prefix() {
  local prefix=$1 state=$RUN/$1 name addr port pid pids=()
  [ -f "$state/hosts" ] || return 0
  while read -r name addr port pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done < "$state/hosts"
  local deadline=$((SECONDS + 20)) p
  for p in "${pids[@]}"; do
    while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$p" 2>/dev/null; then
      echo "hosts.sh: pid $p did not stop within 20 s; killing it" >&2
      kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
    fi
  done
  while read -r name addr port pid; do
    if [[ "$addr" == 169.254.* ]]; then
      local o=${addr#169.254.}
      del_netns "${o%%.*}"
    fi
  done < "$state/hosts"
  rm -f "$state/hosts"
}

down() {
  local prefix=host
  while [ $# -gt 0 ]; do
    case $1 in
      --prefix) prefix=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  down_prefix "$prefix"
}

link() {
  local host=${1:-} updown=${2:-} prefix=host
  shift 2 || die "usage: link NAME up|down [--prefix NAME]"
  while [ $# -gt 0 ]; do
    case $1 in
      --prefix) prefix=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ "$updown" == up || "$updown" == down ]] || die "usage: link NAME up|down"
  local addr
  addr=$(awk -v n="$host" '$1 == n { print $2 }' "$RUN/$prefix/hosts" 2>/dev/null)
  [[ "$addr" == 169.254.* ]] || die "$host is not a netns host of prefix $prefix"
  local o=${addr#169.254.}
  ip link set "swh${o%%.*}" "$updown"
}

cmd=${1:-}
shift || true
case $cmd in
  prepare) prepare ;;
  up) up "$@" ;;
  down) down "$@" ;;
  link) link "$@" ;;
  key) echo "$CACHE/id_ed25519" ;;
  *) die "usage: $0 prepare | up N [--prefix NAME] [--base 127.0.1.] [--first K] [--netns LIST] [--port P] | down [--prefix NAME] | link NAME up|down [--prefix NAME] | key" ;;
esac
