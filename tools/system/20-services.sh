#!/usr/bin/env bash
# Native services the repo's tests run (devkit.json `services`): PostgreSQL, Redis, Memcached and
# the CNCF distribution registry, from Debian's packages. Installing does not start them
# (Debian's policy-rc.d in containers, and devkit runs them itself from .devkit/services/).
# Idempotent and instant when they are installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Another setup script may hold the dpkg lock for a while: retry rather than fail.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  ensure_apt_packages postgresql redis-server memcached docker-registry && break
  [ "$attempt" -eq 10 ] && exit 3
  sleep 15
done
