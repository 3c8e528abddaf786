import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, tempDir } from '@devkit/test-utils';

// tools/toolchain.sh against a small registry on a loopback port serving real tarballs: the
// same document and tarball routes as the npm registry, with a `bin/node` that prints its version.

const SCRIPT = join(REPO_ROOT, 'tools/toolchain.sh');
const platform = `${process.platform}-${process.arch}`;
const packageName = `node-${platform}`;

interface Published {
  tarball: Buffer;
  integrity: string;
  /** Bytes actually sent for the tarball (a truncated download when shorter). */
  served?: Buffer;
}

function packNode(version: string, options: { withNode?: boolean } = {}): Published {
  const dir = tempDir('devkit-toolchain-pack-');
  mkdirSync(join(dir, 'package/bin'), { recursive: true });
  if (options.withNode ?? true) {
    writeFileSync(join(dir, 'package/bin/node'), `#!/bin/sh\necho v${version}\n`);
    chmodSync(join(dir, 'package/bin/node'), 0o755);
  }
  writeFileSync(join(dir, 'package/package.json'), JSON.stringify({ name: packageName, version }));
  const tarball = execFileSync('tar', ['-czf', '-', '-C', dir, 'package']);
  return { tarball, integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}` };
}

const published = new Map<string, Published>();
const requests: string[] = [];
let server: Server;
let registry: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const doc = new RegExp(`^/${packageName}/([^/]+)$`).exec(url);
    const file = new RegExp(`^/${packageName}/-/${packageName}-(.+)\\.tgz$`).exec(url);
    const entry = published.get(doc?.[1] ?? file?.[1] ?? '');
    if (!entry) return res.writeHead(404).end('{"error":"Not found"}');
    if (doc) {
      // Pretty-printed, as some registries and mirrors answer.
      const body = {
        name: packageName,
        version: doc[1],
        dist: { integrity: entry.integrity, tarball: `${registry}${packageName}/-/${packageName}-${doc[1]}.tgz` },
      };
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2));
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(entry.served ?? entry.tarball);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  cleanupTempDirs();
});

function provision(
  cache: string,
  version: string,
  registryUrl = registry,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [SCRIPT, 'node', version],
      { cwd: cache, env: { ...process.env, DEVKIT_CACHE_DIR: cache, npm_config_registry: registryUrl } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('tools/toolchain.sh', () => {
  it('extracts a checked download into the shared cache layout, then serves it with no network', async () => {
    const cache = tempDir('devkit-toolchain-cache-');
    published.set('99.1.2', packNode('99.1.2'));
    const first = await provision(cache, '99.1.2');
    expect(first.code, first.stderr).toBe(0);
    const dir = join(cache, 'toolchains/node/99.1.2');
    expect(first.stdout).toBe(`${dir}\n`);
    expect(execFileSync(join(dir, 'bin/node'), { encoding: 'utf8' })).toBe('v99.1.2\n');
    expect(JSON.parse(readFileSync(join(dir, '.devkit-toolchain.json'), 'utf8'))).toEqual({
      name: packageName,
      version: '99.1.2',
      integrity: published.get('99.1.2')!.integrity,
      platform,
    });
    expect(readdirSync(join(cache, 'toolchains/node'))).toEqual(['99.1.2']);

    const seen = requests.length;
    const warm = await provision(cache, '99.1.2', 'http://127.0.0.1:9/');
    expect(warm).toEqual({ code: 0, stdout: `${dir}\n`, stderr: '' });
    expect(requests.length).toBe(seen);
  });

  it('refuses a download that does not match its integrity and keeps nothing', async () => {
    const cache = tempDir('devkit-toolchain-cache-');
    const good = packNode('99.1.3');
    published.set('99.1.3', { ...good, served: good.tarball.subarray(0, good.tarball.length - 100) });
    const run = await provision(cache, '99.1.3');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`does not match its integrity ${good.integrity}`);
    expect(readdirSync(join(cache, 'toolchains/node'))).toEqual([]);

    published.set('99.1.3', good);
    const again = await provision(cache, '99.1.3');
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(cache, 'toolchains/node/99.1.3/bin/node'))).toBe(true);
  });

  it('refuses a package that holds no bin/node and keeps nothing', async () => {
    const cache = tempDir('devkit-toolchain-cache-');
    published.set('99.1.5', packNode('99.1.5', { withNode: false }));
    const run = await provision(cache, '99.1.5');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${packageName}@99.1.5 has no bin/node`);
    expect(readdirSync(join(cache, 'toolchains/node'))).toEqual([]);
  });

  it('names a version the registry does not publish (exit 3) and a range (exit 2)', async () => {
    const cache = tempDir('devkit-toolchain-cache-');
    const missing = await provision(cache, '99.0.0');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`${packageName}@99.0.0 is not published on ${registry}`);
    const range = await provision(cache, '24');
    expect(range.code).toBe(2);
    expect(range.stderr).toContain("node version must be exact (like 24.22.3), got '24'");
    expect(existsSync(join(cache, 'toolchains/node/99.0.0'))).toBe(false);
  });

  it('two runs at once end with one complete folder', async () => {
    const cache = tempDir('devkit-toolchain-cache-');
    published.set('99.1.4', packNode('99.1.4'));
    const runs = await Promise.all([provision(cache, '99.1.4'), provision(cache, '99.1.4')]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(join(cache, 'toolchains/node'))).toEqual(['99.1.4']);
    expect(execFileSync(join(cache, 'toolchains/node/99.1.4/bin/node'), { encoding: 'utf8' })).toBe('v99.1.4\n');
  });
});
