#!/usr/bin/env bash
# Loading what `devkit native build` makes, on this machine (test/native/addons.test.ts): musl's
# loader and musl-gcc for the musl smoke loader, qemu-user with an arm64 glibc and libstdc++ under
# /usr/aarch64-linux-gnu for the arm64 Node from the npm registry (it needs libstdc++.so.6).
# Idempotent and instant when everything is installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Another setup script may hold the dpkg lock for a while: retry rather than fail.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  ensure_apt_packages musl musl-dev musl-tools qemu-user libc6-arm64-cross libstdc++6-arm64-cross && break
  [ "$attempt" -eq 10 ] && exit 3
  sleep 15
done
