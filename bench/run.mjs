// `pnpm bench`: runs every bench/*.mjs (or those named on the command line) one after another.
// Each prints JSON lines {name, devkit_ms, peer_ms, ratio, …}; this collects them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const script of scripts) {
  console.error(`bench: ${script}`);
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    failed++;
    console.error(`bench: ${script} failed (exit ${result.status})`);
  }
}
process.exitCode = failed ? 1 : 0;
