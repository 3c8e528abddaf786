#!/usr/bin/env bash
# Loading what `devkit native build` makes, on this machine (test/native/addons.test.ts): musl's
# loader and musl-gcc for the musl smoke loader, qemu-user with an arm64 glibc and libstdc++ under
# /usr/aarch64-linux-gnu for the arm64 Node from the npm registry (it needs libstdc++.so.6), and
# musl's arm64 loader and libc for the arm64 musl smoke loader.
# Idempotent and instant when everything is installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Another setup script may hold the dpkg lock for a while: retry rather than fail.
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  ensure_apt_packages musl musl-dev musl-tools qemu-user libc6-arm64-cross libstdc++6-arm64-cross && break
  [ "$attempt" -eq 10 ] && exit 3
  sleep 15
done

# musl's arm64 loader and libc (Debian's musl and musl-dev for arm64), unpacked into a sysroot
# for qemu-aarch64 -L: fetched with apt from the machine's own sources, through a private apt state
# that lists arm64 only, so dpkg's architectures and the system's package lists stay as they are.
sysroot=/usr/local/lib/devkit/aarch64-linux-musl
if [ ! -e "$sysroot/lib/ld-musl-aarch64.so.1" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  work=$(mktemp -d "${TMPDIR:-/tmp}/devkit-musl-arm64-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs"
  touch "$work/status"
  apt_arm64=(-o "Dir::State=$work/state" -o "Dir::State::status=$work/status" -o "Dir::Cache=$work/cache"
    -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  echo "bootstrap: fetching Debian's arm64 musl into $sysroot" >&2
  apt-get "${apt_arm64[@]}" -qq update
  (cd "$work/debs" && apt-get "${apt_arm64[@]}" -qq download musl musl-dev)
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  $sudo mkdir -p "$(dirname "$sysroot")"
  $sudo rm -rf "$sysroot.tmp"
  $sudo mv "$work/root" "$sysroot.tmp"
  $sudo mv -T "$sysroot.tmp" "$sysroot"
fi
