import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, gitInit, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';

// The smallest pnpm devkit provisions (the `pnpm` package, run on the machine's node): the
// real packument's metadata and the real tarball, served by a loopback registry that can cut
// the tarball short, to see what devkit does with a broken download and with racing runs.
const PNPM = '9.15.9';

interface VersionDocument {
  version: string;
  dist: { integrity: string; tarball: string };
  engines?: Record<string, string>;
  bin?: Record<string, string>;
}

let real: VersionDocument;
let tarball: Buffer;

beforeAll(async () => {
  const meta = await fetch(`https://registry.npmjs.org/pnpm/${PNPM}`);
  expect(meta.ok).toBe(true);
  real = (await meta.json()) as VersionDocument;
  const body = await fetch(real.dist.tarball);
  tarball = Buffer.from(await body.arrayBuffer());
}, 120_000);

afterAll(cleanupTempDirs);

interface LoopbackRegistry {
  url: string;
  tarballRequests: () => number;
  close: () => Promise<void>;
}

/**
 * A registry on a loopback port serving pnpm's real version document with its tarball URL
 * pointing here; `serve(n)` says what the n-th tarball request gets (1-based).
 */
async function loopbackRegistry(serve: (request: number) => 'truncated' | 'whole'): Promise<LoopbackRegistry> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    if (req.url === '/pnpm') {
      const version = { ...real, dist: { ...real.dist, tarball: `${base}pnpm/-/pnpm-${PNPM}.tgz` } };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name: 'pnpm', 'dist-tags': { latest: PNPM }, versions: { [PNPM]: version } }));
      return;
    }
    if (req.url === `/pnpm/-/pnpm-${PNPM}.tgz`) {
      requests += 1;
      const body = serve(requests) === 'truncated' ? tarball.subarray(0, Math.floor(tarball.length / 2)) : tarball;
      res.setHeader('content-type', 'application/octet-stream');
      // Sent in pieces with pauses, so that racing runs overlap while one of them downloads.
      let offset = 0;
      const next = () => {
        if (offset >= body.length) return void res.end();
        res.write(body.subarray(offset, offset + 256 * 1024));
        offset += 256 * 1024;
        setTimeout(next, 20);
      };
      next();
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    tarballRequests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A pid no process has: one past the pids in use now, checked with signal 0. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

function pnpmRepo(): string {
  const repo = tempDir('devkit-toolchain-');
  writeFiles(repo, {
    'package.json': { name: 'pinned', private: true, packageManager: `pnpm@${PNPM}` },
    'pnpm-workspace.yaml': 'packages: []\n',
    'pnpm-lock.yaml':
      "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .: {}\n",
  });
  gitInit(repo);
  return repo;
}

describe('provisioning from a registry that misbehaves', () => {
  it('a truncated download is refused and fetched again; the good copy is used', async () => {
    const registry = await loopbackRegistry((n) => (n === 1 ? 'truncated' : 'whole'));
    try {
      const cache = tempDir('devkit-cache-');
      // What a download killed half-way leaves: a temp folder of a process that is gone.
      const abandoned = join(cache, 'toolchains/pnpm', `${PNPM}.tmp-${deadPid()}-0a1b2c3d`);
      mkdirSync(join(abandoned, 'bin'), { recursive: true });
      writeFileSync(join(abandoned, 'bin/pnpm.cjs'), '// cut short');
      const run = await runDevkit(['exec', '--', 'pnpm', '--version'], {
        cwd: pnpmRepo(),
        env: { DEVKIT_CACHE_DIR: cache, npm_config_registry: registry.url },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toBe(PNPM);
      expect(registry.tarballRequests()).toBe(2);
      expect(run.stderr).toMatch(
        /pnpm 9\.15\.9: the download broke off after \d+ bytes|pnpm 9\.15\.9: got \d+ bytes hashing to/,
      );
      const record = JSON.parse(readFileSync(join(cache, 'toolchains/pnpm', PNPM, '.devkit-toolchain.json'), 'utf8'));
      expect(record.integrity).toBe(real.dist.integrity);
      expect(existsSync(abandoned)).toBe(false);
    } finally {
      await registry.close();
    }
  });

  it('a download that never matches its integrity is never used: exit 3, nothing left in the cache', async () => {
    const registry = await loopbackRegistry(() => 'truncated');
    try {
      const cache = tempDir('devkit-cache-');
      const run = await runDevkit(['bootstrap', '--no-services'], {
        cwd: pnpmRepo(),
        env: { DEVKIT_CACHE_DIR: cache, npm_config_registry: registry.url },
      });
      expect(run.exitCode).toBe(3);
      expect(run.stderr).toContain(
        `error E_TOOLCHAIN_INTEGRITY: pnpm ${PNPM} from ${registry.url}pnpm/-/pnpm-${PNPM}.tgz did not match its integrity in 3 downloads`,
      );
      expect(registry.tarballRequests()).toBe(3);
      // No version folder and no temp folder: only the lock's directory entry may remain.
      expect(readdirSync(join(cache, 'toolchains/pnpm')).filter((name) => !name.startsWith('.'))).toEqual([]);
      expect(existsSync(join(cache, 'shims'))).toBe(false);
    } finally {
      await registry.close();
    }
  });

  it('concurrent bootstraps in three checkouts download the pinned pnpm once and each runs it', async () => {
    const registry = await loopbackRegistry(() => 'whole');
    try {
      const cache = tempDir('devkit-cache-');
      const env = { DEVKIT_CACHE_DIR: cache, npm_config_registry: registry.url };
      const repos = [pnpmRepo(), pnpmRepo(), pnpmRepo()];
      const runs = await Promise.all(
        repos.map((repo) => runDevkit(['--json', 'bootstrap', '--no-services', '--yes'], { cwd: repo, env })),
      );
      for (const run of runs) expect(run.exitCode, run.stderr + run.stdout).toBe(0);
      expect(registry.tarballRequests()).toBe(1);
      expect(readdirSync(join(cache, 'toolchains/pnpm')).filter((name) => !name.startsWith('.'))).toEqual([PNPM]);
      for (const repo of repos) {
        const exec = await runDevkit(['exec', '--', 'pnpm', '--version'], { cwd: repo, env });
        expect(exec).toMatchObject({ exitCode: 0, stdout: PNPM });
      }
    } finally {
      await registry.close();
    }
  });
});
