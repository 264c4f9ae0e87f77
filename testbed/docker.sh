#!/usr/bin/env bash
# A Docker engine for the container tests: Debian's docker.io (dockerd 20.10), started as root
# without systemd, with its own state so it never touches a system engine. See testbed/README.md.
#
#   docker.sh up
#       Starts dockerd with the cgroupfs cgroup driver, no iptables rules and no default bridge
#       (containers use --network host), its state under $SLIPWAY_DOCKER_ROOT (default
#       /var/lib/slipway-testbed/docker: data-root, exec-root, pidfile, dockerd.log) and its API on
#       unix://$SLIPWAY_DOCKER_ROOT/docker.sock. Waits (at most 60 s) until the API answers.
#       Idempotent: a running engine is left as it is. Prints DOCKER_HOST=unix://... for the tests.
#   docker.sh down
#       Stops that engine (SIGTERM, SIGKILL after 30 s); leaves a swarm first, if one was made.
#   docker.sh env
#       Prints DOCKER_HOST=unix://... (whether or not the engine runs).
#   docker.sh base
#       Makes the base image the rendered Dockerfile's build stages start from, since no registry can
#       be reached: Debian bookworm (debootstrap --variant=minbase, from this machine's apt mirror),
#       imported into the running engine as $BASE_IMAGE, with this machine's own CA certificates
#       (/usr/local/share/ca-certificates) added. The root file system's tarball is built once
#       and cached under $SLIPWAY_DOCKER_CACHE (default /var/cache/slipway-testbed/docker); a later
#       run only imports it (seconds), and not even that while the engine still has the image.
#       Prints the image's name.
#
# Runs as root. Every wait is bounded.
set -euo pipefail

ROOT=${SLIPWAY_DOCKER_ROOT:-/var/lib/slipway-testbed/docker}
SOCK=$ROOT/docker.sock
PIDFILE=$ROOT/dockerd.pid
# Debian's client (20.10) matches the engine's API version; another docker on PATH may be newer.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker

CACHE=${SLIPWAY_DOCKER_CACHE:-/var/cache/slipway-testbed/docker}
# The name tells what it is; the Dockerfile takes it as the build argument BASE.
BASE_IMAGE=slipway-testbed/debian:bookworm-minbase
BASE_TAR=$CACHE/bookworm-minbase.tar

die() { echo "docker.sh: $*" >&2; exit 2; }

running() {
  [ -S "$SOCK" ] && [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null \
    && DOCKER_HOST="unix://$SOCK" "$DOCKER" version >/dev/null 2>&1
}

up() {
  command -v dockerd >/dev/null || die "dockerd is not installed (package docker.io)"
  mkdir -p "$ROOT/data" "$ROOT/exec"
  # One start at a time (test classes may start together); bounded wait.
  exec 9>"$ROOT/.up.lock"
  flock -w 120 9 || die "another start holds $ROOT/.up.lock for more than 2 minutes"
  if running; then
    echo "DOCKER_HOST=unix://$SOCK"
    return
  fi
  rm -f "$SOCK" "$PIDFILE"
  # setsid: the engine outlives this script and the shell that ran it. 9>&-: it must not inherit the
  # start lock, or the lock stays held for as long as the engine runs and the next 'up' waits in vain.
  setsid dockerd --exec-opt native.cgroupdriver=cgroupfs --iptables=false --ip6tables=false \
    --bridge=none --data-root "$ROOT/data" --exec-root "$ROOT/exec" -H "unix://$SOCK" \
    --pidfile "$PIDFILE" </dev/null >>"$ROOT/dockerd.log" 2>&1 9>&- &
  local i
  for i in $(seq 1 120); do
    if running; then
      echo "DOCKER_HOST=unix://$SOCK"
      return
    fi
    sleep 0.5
  done
  tail -n 30 "$ROOT/dockerd.log" >&2 || true
  die "dockerd did not answer on $SOCK within 60 s (log: $ROOT/dockerd.log)"
}

down() {
  [ -s "$PIDFILE" ] || { echo "docker.sh: no engine under $ROOT"; return; }
  local pid i
  pid=$(cat "$PIDFILE")
  if running; then
    DOCKER_HOST="unix://$SOCK" timeout 60 "$DOCKER" swarm leave --force >/dev/null 2>&1 || true
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "docker.sh: dockerd ($pid) did not stop within 30 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$SOCK"
  echo "docker.sh: engine under $ROOT stopped (ran $i half-seconds to stop)"
}

# The Debian mirror this machine's apt already uses, so no host name lives in the repository.
mirror() {
  local url
  # shellcheck disable=SC2016 # $(...) is apt's field syntax, not the shell's
  url=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 2>/dev/null | awk '$2 == "bookworm" { print $1; exit }')
  [ -n "$url" ] || die "no bookworm mirror in this machine's apt sources (apt-get update first?)"
  echo "$url"
}

base() {
  running || die "no engine answers on $SOCK (docker.sh up first)"
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.base.lock"
  flock -w 900 8 || die "another base build holds $CACHE/.base.lock for more than 15 minutes"
  if [ ! -s "$BASE_TAR" ]; then
    command -v debootstrap >/dev/null || die "debootstrap is not installed"
    local work url
    url=$(mirror)
    work=$(mktemp -d "$CACHE/.build.XXXXXX")
    # shellcheck disable=SC2064 # expand now: the trap must remove this build's directory
    trap "rm -rf '$work'" EXIT
    echo "docker.sh: building the base rootfs with debootstrap from $url (once; a few minutes)" >&2
    debootstrap --variant=minbase bookworm "$work/rootfs" "$url" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    # As the published slim images: no package lists or caches inside.
    rm -rf "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/cache/apt/*.bin
    tar --numeric-owner -C "$work/rootfs" -cf "$work/base.tar" .
    # The rename is the commit point: an interrupted build leaves only a .build.* directory.
    mv "$work/base.tar" "$BASE_TAR"
    rm -rf "$work"
    trap - EXIT
  fi
  if ! DOCKER_HOST="unix://$SOCK" "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    DOCKER_HOST="unix://$SOCK" timeout 600 "$DOCKER" import -c 'CMD ["bash"]' "$BASE_TAR" "$BASE_IMAGE.debootstrap" \
      >/dev/null
    # This machine's own CA certificates (an egress proxy's, a company's) go into the base, as such a
    # site's base images carry them: the stages' ca-certificates package then trusts them too, and
    # Maven reaches its repository through that proxy. Without any, the base is debootstrap's alone.
    local ctx
    ctx=$(mktemp -d)
    printf 'FROM %s\nCOPY . /usr/local/share/ca-certificates/\n' "$BASE_IMAGE.debootstrap" >"$ctx/Dockerfile"
    find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$ctx/" \; 2>/dev/null || true
    printf 'Dockerfile\n' >"$ctx/.dockerignore"
    DOCKER_HOST="unix://$SOCK" DOCKER_BUILDKIT=0 timeout 600 "$DOCKER" build -q -t "$BASE_IMAGE" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  echo "$BASE_IMAGE"
}

case "${1:-}" in
  up) up ;;
  base) base ;;
  down) down ;;
  env) echo "DOCKER_HOST=unix://$SOCK" ;;
  *) die "usage: docker.sh up|down|env|base" ;;
esac
