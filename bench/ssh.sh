#!/usr/bin/env bash
# SSH transport figures (remote.SshHost, Apache MINA SSHD) against one Debian test host of
# testbed/hosts.sh, with OpenSSH's scp as the anchor. Run as root from the repository root,
# after `mvn -q -B -pl slipway-cli -DskipTests package`:
#   bench/ssh.sh [RUNS] [FILE]      defaults: 7 runs, a 40 MB random file
# Prints a Markdown table on stdout. Boots host "sshbench1" at 127.0.1.9 and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
file=${2:-}
work=$(mktemp -d)
trap 'bash testbed/hosts.sh down --prefix sshbench >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if [ -z "$file" ]; then
  file=$work/payload
  head -c 40000000 /dev/urandom > "$file"
fi
bash testbed/hosts.sh prepare >/dev/null
bash testbed/hosts.sh up 1 --prefix sshbench --base 127.0.1.9 >/dev/null
key=$(bash testbed/hosts.sh key)
kh=${SLIPWAY_HOSTS_RUN:-/run/slipway-testbed}/sshbench/known_hosts
size=$(stat -c %s "$file")

java -cp "slipway-cli/target/classes:slipway-cli/target/lib/*" bench/SshBench.java 127.0.1.9 "$kh" "$key" "$file" "$runs" > "$work/java.txt"

# The anchor: OpenSSH's scp (SFTP protocol), one process per copy, same key and host.
times=()
for ((i = 0; i <= runs; i++)); do
  start=$(date +%s%N)
  scp -q -i "$key" -o UserKnownHostsFile="$kh" -o StrictHostKeyChecking=yes "$file" root@127.0.1.9:/tmp/bench-scp
  end=$(date +%s%N)
  [ "$i" -gt 0 ] && times+=($(( (end - start) / 1000000 )))
done
scp_line=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)], a[1], a[NR] }')

echo "SSH transport, $runs runs after 1 warm-up, file $((size / 1000000)) MB, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| step | median ms | min ms | max ms |"
echo "|---|---|---|---|"
while read -r name med min max; do
  echo "| SshHost $name | $med | $min | $max |"
done < "$work/java.txt"
read -r med min max <<< "$scp_line"
echo "| scp (OpenSSH, new process each) | $med | $min | $max |"
