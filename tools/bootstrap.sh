#!/usr/bin/env bash
# Sets up this repo on a fresh machine and runs devkit's main job on itself:
# system prerequisites → pnpm → dependencies (frozen lockfile) → build → `devkit bootstrap --yes`.
# Idempotent: a second run changes nothing and takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/system/lib.sh

# 1. System prerequisites of each capability (tools/system/NN-*.sh), in order.
for script in tools/system/[0-9]*.sh; do
  [ -e "$script" ] || continue
  bash "$script"
done

# 2. pnpm, at the version package.json pins.
want=$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '').split('+')[0]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "bootstrap: installing pnpm $want (found: ${have:-none})" >&2
  # npm rather than corepack: corepack verifies registry signatures that mirrors do not carry.
  # --force replaces a corepack shim left at the same path.
  npm install -g --force "pnpm@$want" >/dev/null 2>&1 || { echo "bootstrap: npm install -g pnpm@$want failed" >&2; exit 3; }
  hash -r
fi

# 3. Dependencies exactly as the lockfile says; 4. build (turbo caches it).
pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --output-logs=errors-only

# 5. devkit's main job, on its own repo.
node packages/cli/dist/bin.js bootstrap --yes
