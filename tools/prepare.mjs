// Root `prepare`: puts the git hooks in place on every install. pnpm 10 does not run
// dependencies' install scripts, so this root script is what makes hooks appear on a new clone.
// Before the first build there is no devkit binary yet; husky itself then installs the same
// hooks (the committed .husky/<hook> files call `devkit hooks run <hook>`).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (process.env.HUSKY === '0' || !existsSync('.git')) process.exit(0);
const cli = 'packages/cli/dist/bin.js';
if (existsSync(cli)) {
  const viaDevkit = spawnSync(process.execPath, [cli, 'hooks', 'install'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (viaDevkit.status === 0) process.exit(0);
  if (viaDevkit.status === 1 || viaDevkit.status === 2) {
    // devkit ran and refused (another tool owns core.hooksPath, a bad devkit.json): say so, but
    // never override its judgement with husky, and never fail the install over hooks.
    process.stderr.write(`prepare: git hooks not installed:\n${viaDevkit.stderr ?? ''}`);
    process.exit(0);
  }
  process.stderr.write(
    `prepare: devkit could not run (exit ${viaDevkit.status}; a stale build?); installing the hooks with husky\n`,
  );
}
const viaHusky = spawnSync(process.execPath, ['node_modules/husky/bin.js'], { stdio: 'inherit' });
process.exit(viaHusky.status ?? 1);
