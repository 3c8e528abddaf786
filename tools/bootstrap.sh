#!/usr/bin/env bash
# Sets up this repo on a fresh machine and runs devkit's main job on itself:
# system prerequisites → Node → pnpm → dependencies (frozen lockfile) → build → `devkit bootstrap --yes`.
# Idempotent: a second run changes nothing and takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/system/lib.sh
source tools/toolchain.sh

# 1. System prerequisites of each capability (tools/system/NN-*.sh), in order.
for script in tools/system/[0-9]*.sh; do
  [ -e "$script" ] || continue
  bash "$script"
done

# 2. Node, at the version .node-version pins: the official build from the npm registry, in the
# toolchain cache `devkit bootstrap` shares (tools/toolchain.sh; no nvm, volta or corepack), first
# on PATH from here on, so the machine's own node never installs, builds or runs devkit.
node_version=$(tr -d '[:space:]' <.node-version)
node_version=${node_version#v}
node_dir=$(ensure_toolchain node "$node_version") || exit $?
export PATH="$node_dir/bin:$PATH"
hash -r
echo "bootstrap: Node $(node --version) ($node_dir/bin/node)" >&2

# 3. pnpm, at the version package.json pins: the one on PATH when it is that version, else the
# same version from the toolchain cache, first on PATH for the rest of this script.
want=$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '').split('+')[0]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "bootstrap: using pnpm $want from the toolchain cache (pnpm on PATH: ${have:-none})" >&2
  pnpm_dir=$(ensure_toolchain pnpm "$want") || exit $?
  if [ -x "$pnpm_dir/pnpm" ]; then
    export PATH="$pnpm_dir:$PATH"
  else
    # pnpm 9–11 is a script run by node: a `pnpm` launcher in a folder that lives as long as this run.
    pnpm_bin=$(mktemp -d "${TMPDIR:-/tmp}/devkit-pnpm-XXXXXX")
    trap 'rm -rf "$pnpm_bin"' EXIT
    printf '#!/bin/sh\nexec node "%s/bin/pnpm.cjs" "$@"\n' "$pnpm_dir" >"$pnpm_bin/pnpm"
    chmod +x "$pnpm_bin/pnpm"
    export PATH="$pnpm_bin:$PATH"
  fi
  hash -r
fi

# 4. Dependencies exactly as the lockfile says; 5. build (turbo caches it).
pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --output-logs=errors-only

# 6. devkit's main job, on its own repo.
node packages/cli/dist/bin.js bootstrap --yes
