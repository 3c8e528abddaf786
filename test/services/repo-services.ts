import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEVKIT_BIN, REPO_ROOT } from '@devkit/test-utils';

const exec = promisify(execFile);

/**
 * For tests that use the repo's own services (devkit.json declares them; ./tools/bootstrap.sh
 * starts them): makes sure the named ones run — starting them through devkit if they are down;
 * instant when they run — and returns their environment (DATABASE_URL, REDIS_URL,
 * MEMCACHED_SERVERS, REGISTRY_URL, …).
 */
export async function repoServices(...names: string[]): Promise<Record<string, string>> {
  await exec(process.execPath, [DEVKIT_BIN, 'up', ...names], { cwd: REPO_ROOT, timeout: 180_000 });
  const { stdout } = await exec(process.execPath, [DEVKIT_BIN, 'env', '--format', 'json'], { cwd: REPO_ROOT });
  return JSON.parse(stdout) as Record<string, string>;
}
