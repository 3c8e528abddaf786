#!/usr/bin/env bash
# The shells whose completion scripts `devkit completion` prints, so the tests can load them:
# zsh and fish from Debian's packages (bash is already there). Idempotent and instant when they
# are installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Another setup script may hold the dpkg lock for a while: retry rather than fail.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  ensure_apt_packages zsh fish && break
  [ "$attempt" -eq 10 ] && exit 3
  sleep 15
done
