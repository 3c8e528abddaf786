// A bench workspace as another pnpm major has it: the same manifests, pinned to that pnpm
// (`packageManager`), its lockfile rewritten and its node_modules installed by that pnpm from the
// original lockfile (so the same resolutions). Made once under bench/.work/ and reused.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WORK, sh } from './harness.mjs';
import { pnpmCommand } from './toolchains.mjs';

/** Makes (first call only) `<source>-pnpm<major>` and returns its folder. */
export async function ensurePnpmVariant(source, pnpmVersion) {
  const dir = join(WORK, `${basename(source)}-pnpm${pnpmVersion.split('.')[0]}`);
  const marker = join(dir, '.made');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => !/[/\\](?:node_modules|\.git)$/.test(path) && !path.endsWith('.made'),
  });
  const manifestFile = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  writeFileSync(manifestFile, `${JSON.stringify({ ...manifest, packageManager: `pnpm@${pnpmVersion}` }, null, 2)}\n`);
  const pnpm = await pnpmCommand(pnpmVersion);
  console.error(`bench: installing ${basename(dir)} with pnpm ${pnpmVersion} (once)…`);
  sh(pnpm.cmd, [...pnpm.args, 'install', '--ignore-scripts', '--reporter=silent'], {
    cwd: dir,
    env: pnpm.env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  sh('git', ['init', '-q'], { cwd: dir });
  writeFileSync(marker, new Date().toISOString());
  return dir;
}
