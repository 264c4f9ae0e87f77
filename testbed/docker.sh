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
#
# Runs as root. Every wait is bounded.
set -euo pipefail

ROOT=${SLIPWAY_DOCKER_ROOT:-/var/lib/slipway-testbed/docker}
SOCK=$ROOT/docker.sock
PIDFILE=$ROOT/dockerd.pid
# Debian's client (20.10) matches the engine's API version; another docker on PATH may be newer.
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker

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
  # setsid: the engine outlives this script and the shell that ran it.
  setsid dockerd --exec-opt native.cgroupdriver=cgroupfs --iptables=false --ip6tables=false \
    --bridge=none --data-root "$ROOT/data" --exec-root "$ROOT/exec" -H "unix://$SOCK" \
    --pidfile "$PIDFILE" </dev/null >>"$ROOT/dockerd.log" 2>&1 &
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

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) echo "DOCKER_HOST=unix://$SOCK" ;;
  *) die "usage: docker.sh up|down|env" ;;
esac
