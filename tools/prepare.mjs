// Root `prepare`: puts the git hooks in place on every install. pnpm 10 does not run
// dependencies' install scripts, so this root script is what makes hooks appear on a new clone.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (process.env.HUSKY === '0' || !existsSync('.git')) process.exit(0);
const cli = 'packages/cli/dist/main.js';
const result = existsSync(cli)
  ? spawnSync(process.execPath, [cli, 'hooks', 'install'], { stdio: 'inherit' })
  : spawnSync(process.execPath, ['node_modules/husky/bin.js'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
