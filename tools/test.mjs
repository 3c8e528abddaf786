// `pnpm test`: build (turbo, cached) so the end-to-end tests run the real binary, then every test.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
run('pnpm', ['exec', 'vitest', 'run', ...process.argv.slice(2)]);
