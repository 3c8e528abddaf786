#!/usr/bin/env bash
# Native builds: a Docker engine (Debian's docker.io) running without container networking,
# debootstrap to make builder base images offline, qemu-user to run arm64 results, and gcc and
# binutils (readelf) for the verifier's tests.
# Idempotent and quick when the engine already answers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Other setup scripts may hold the dpkg lock for a while: retry rather than fail.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  ensure_apt_packages docker.io debootstrap qemu-user gcc binutils && break
  [ "$attempt" -eq 10 ] && exit 3
  sleep 15
done

log=${DEVKIT_DOCKERD_LOG:-/var/log/devkit-dockerd.log}
if docker info >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bootstrap: no Docker engine answers; start one with: sudo dockerd --bridge=none --iptables=false &" >&2
  exit 3
fi
# No bridge and no iptables: build containers run with networking disabled anyway, and the
# machines this runs on may not allow changing the host's firewall.
echo "bootstrap: starting dockerd (log: $log)" >&2
nohup dockerd --bridge=none --iptables=false --ip6tables=false >>"$log" 2>&1 </dev/null &
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "bootstrap: dockerd did not answer within 60 s; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 3
