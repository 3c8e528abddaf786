import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVKIT_BIN, cleanupTempDirs, gitInit, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';

// Node 22 is the smallest official build devkit supports, and pnpm 9 runs on the machine's
// Node: one cold cache costs two modest downloads from the real npm registry.
const NODE = '22.23.5';
const PNPM = '9.15.9';
const EMPTY_LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}
`;

afterAll(cleanupTempDirs);

interface StepJson {
  id: string;
  status: string;
}

/** A repo pinning node and pnpm, with an empty lockfile so a frozen install has nothing to fetch. */
function pinnedRepo(files: Record<string, string | object> = {}): string {
  const repo = tempDir('devkit-toolchain-');
  writeFiles(repo, {
    'package.json': {
      name: 'pinned',
      private: true,
      packageManager: `pnpm@${PNPM}`,
      // What ran the install: pnpm's user agent names its version and the node it ran on.
      scripts: {
        postinstall: `node -e "require('fs').writeFileSync('installed-by', process.env.npm_config_user_agent)"`,
      },
    },
    '.node-version': `${NODE}\n`,
    'pnpm-workspace.yaml': 'packages: []\n',
    'pnpm-lock.yaml': EMPTY_LOCKFILE,
    ...files,
  });
  gitInit(repo);
  return repo;
}

/** A loopback port nothing listens on: a registry that does not answer, at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('devkit bootstrap provisions the pinned node and pnpm', () => {
  let cache: string;
  let env: Record<string, string>;
  let repo: string;

  beforeAll(() => {
    cache = tempDir('devkit-cache-');
    env = { DEVKIT_CACHE_DIR: cache };
    repo = pinnedRepo();
  });

  it('from an empty cache: downloads both from the npm registry and installs with them', async () => {
    const run = await runDevkit(['--json', 'bootstrap', '--no-services', '--yes'], {
      cwd: repo,
      env,
      timeoutMs: 280_000,
    });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const steps = (JSON.parse(run.stdout) as { steps: StepJson[] }).steps;
    expect(steps.map((s) => [s.id, s.status])).toEqual([
      ['toolchain', 'done'],
      ['dependencies', 'done'],
      ['hooks', 'done'],
    ]);
    const nodeRecord = JSON.parse(readFileSync(join(cache, 'toolchains/node', NODE, '.devkit-toolchain.json'), 'utf8'));
    expect(nodeRecord).toEqual({
      name: `node-${process.platform}-${process.arch}`,
      version: NODE,
      integrity: expect.stringMatching(/^sha512-/),
      platform: `${process.platform}-${process.arch}`,
    });
    expect(existsSync(join(cache, 'toolchains/node', NODE, 'bin/node'))).toBe(true);
    expect(
      JSON.parse(readFileSync(join(cache, 'toolchains/pnpm', PNPM, '.devkit-toolchain.json'), 'utf8')),
    ).toMatchObject({
      name: 'pnpm',
      version: PNPM,
    });
    expect(existsSync(join(cache, 'toolchains/pnpm', PNPM, 'bin/pnpm.cjs'))).toBe(true);
    // Only complete folders: no temp folder is left beside them.
    expect(readdirSync(join(cache, 'toolchains/node'))).toEqual([NODE]);
    expect(readdirSync(join(cache, 'toolchains/pnpm')).filter((n) => !n.startsWith('.'))).toEqual([PNPM]);
    // The install ran with the pinned pnpm, whatever pnpm the machine has, and its scripts on the pinned node.
    expect(readFileSync(join(repo, 'installed-by'), 'utf8')).toMatch(new RegExp(`^pnpm/${PNPM} .*node/v${NODE} `));
  });

  it('devkit exec runs a command with them, passing its exit code through', async () => {
    const node = await runDevkit(['exec', '--', 'node', '-p', 'process.version'], { cwd: repo, env });
    expect(node).toMatchObject({ exitCode: 0, stdout: `v${NODE}` });
    const pnpm = await runDevkit(['exec', '--', 'pnpm', '--version'], { cwd: repo, env });
    expect(pnpm).toMatchObject({ exitCode: 0, stdout: PNPM });
    expect((await runDevkit(['exec', '--', 'sh', '-c', 'exit 42'], { cwd: repo, env })).exitCode).toBe(42);
    // A command a signal ends: a shell's 128 + 9, or (where devkit became the command through
    // Node's execve) the signal itself, as the shell would have seen it.
    const killed = spawn(
      process.execPath,
      [DEVKIT_BIN, 'exec', '--', 'node', '-e', "process.kill(process.pid, 'SIGKILL')"],
      {
        cwd: repo,
        env: { ...process.env, ...env },
        stdio: 'ignore',
      },
    );
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      killed.once('exit', (c, s) => resolve([c, s])),
    );
    expect(code === 128 + 9 || signal === 'SIGKILL', `exit ${code}, signal ${signal}`).toBe(true);
    const missing = await runDevkit(['exec', '--', 'no-such-program-here'], { cwd: repo, env });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('no-such-program-here is not on PATH');
  });

  it('devkit exec passes a signal it receives on to the command', async () => {
    const child = spawn(
      process.execPath,
      [
        DEVKIT_BIN,
        'exec',
        '--',
        'node',
        '-e',
        "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(3) }); console.log('ready'); setInterval(() => {}, 1000)",
      ],
      { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out).toContain('got SIGTERM');
    expect(code).toBe(3);
  });

  it('env --format shell puts them first on PATH', async () => {
    const run = await runDevkit(['env', '--format', 'shell'], { cwd: repo, env });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^export PATH='${cache}/shims/[0-9a-f]+:`, 'm'));
    const shell = spawn(
      'sh',
      ['-c', `eval "$("${process.execPath}" "${DEVKIT_BIN}" env --format shell)"; node --version; pnpm --version`],
      {
        cwd: repo,
        env: { ...process.env, ...env, NO_COLOR: '1' },
      },
    );
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    expect(await new Promise((resolve) => shell.once('exit', resolve))).toBe(0);
    expect(out.trim().split('\n')).toEqual([`v${NODE}`, PNPM]);
  });

  it('warm: a fresh checkout with the same pins bootstraps offline, from the cache alone', async () => {
    const offline = { ...env, npm_config_registry: `http://127.0.0.1:${await closedPort()}/` };
    const other = pinnedRepo();
    const run = await runDevkit(['--json', 'bootstrap', '--no-services', '--yes'], { cwd: other, env: offline });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(readFileSync(join(other, 'installed-by'), 'utf8')).toMatch(new RegExp(`^pnpm/${PNPM} .*node/v${NODE} `));
    // A range resolves from the cache too: ".node-version: 22" takes the cached 22.x.
    const ranged = pinnedRepo({ '.node-version': '22\n' });
    const exec = await runDevkit(['exec', '--', 'node', '-p', 'process.version'], { cwd: ranged, env: offline });
    expect(exec).toMatchObject({ exitCode: 0, stdout: `v${NODE}` });
    // Nothing downloaded: still one version of each.
    expect(readdirSync(join(cache, 'toolchains/node'))).toEqual([NODE]);
  });

  it("packageManager's +sha512 hash must be the provisioned tarball's digest", async () => {
    const record = JSON.parse(readFileSync(join(cache, 'toolchains/pnpm', PNPM, '.devkit-toolchain.json'), 'utf8')) as {
      integrity: string;
    };
    const hex = Buffer.from(record.integrity.slice('sha512-'.length), 'base64').toString('hex');
    const pinned = (hash: string) =>
      pinnedRepo({ 'package.json': { name: 'pinned', private: true, packageManager: `pnpm@${PNPM}+sha512.${hash}` } });
    const good = await runDevkit(['exec', '--', 'pnpm', '--version'], { cwd: pinned(hex), env });
    expect(good).toMatchObject({ exitCode: 0, stdout: PNPM });
    const bad = await runDevkit(['exec', '--', 'pnpm', '--version'], { cwd: pinned('0'.repeat(128)), env });
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toContain(
      `error E_TOOLCHAIN_INTEGRITY: pnpm ${PNPM} in ${cache}/toolchains/pnpm/${PNPM} is not the build package.json packageManager names`,
    );
  });

  it('offline with an empty cache: exit 3 saying what is missing and from where', async () => {
    const port = await closedPort();
    const run = await runDevkit(['bootstrap', '--no-services'], {
      cwd: pinnedRepo(),
      env: { DEVKIT_CACHE_DIR: tempDir('devkit-cache-'), npm_config_registry: `http://127.0.0.1:${port}/` },
    });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `error E_REGISTRY_UNREACHABLE: node ${NODE} \\(node-${process.platform}-${process.arch}\\) is not in the toolchain cache and the registry http://127.0.0.1:${port}/ does not answer \\(ECONNREFUSED\\)`,
      ),
    );
    expect(run.stderr).toContain('fix: connect to the network');
  });

  it('a pinned version that is not published: exit 3 naming it and the nearest published ones', async () => {
    const run = await runDevkit(['bootstrap', '--no-services'], {
      cwd: pinnedRepo({ 'package.json': { name: 'pinned', private: true, packageManager: 'pnpm@9.15.99' } }),
      env,
    });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain(
      'error E_TOOLCHAIN_VERSION_UNKNOWN: package.json packageManager pins pnpm 9.15.99, which is not published (package pnpm on https://registry.npmjs.org/); nearest published: 9.15.9, 10.0.0',
    );
    expect(run.stderr).toContain('fix: pin a published version in package.json, e.g.');
    expect(existsSync(join(cache, 'toolchains/pnpm/9.15.99'))).toBe(false);
  });

  it('pins that disagree: exit 2 naming both files; doctor says which file asks for what', async () => {
    const disagree = pinnedRepo({ 'devkit.json': { toolchain: { pnpm: '10.x' } } });
    const run = await runDevkit(['bootstrap', '--no-services'], { cwd: disagree, env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      `error E_PINS_DISAGREE: package.json packageManager pins pnpm ${PNPM} but devkit.json toolchain.pnpm asks for pnpm 10.x: the pins in package.json and devkit.json disagree`,
    );
    const doctor = await runDevkit(['doctor'], { cwd: disagree, env });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toContain(`package.json packageManager pins pnpm ${PNPM}`);
    expect(doctor.stdout).toContain('devkit.json toolchain.pnpm asks for pnpm 10.x');
    expect(doctor.stdout).toContain(`.node-version pins node ${NODE}`);
  });

  it('doctor, without devkit.json, names a packageManager pin the machine does not have', async () => {
    const fresh = pinnedRepo({ 'package.json': { name: 'pinned', private: true, packageManager: 'pnpm@11.19.0' } });
    rmSync(join(fresh, '.node-version'));
    const run = await runDevkit(['--json', 'doctor'], {
      cwd: fresh,
      env: { DEVKIT_CACHE_DIR: tempDir('devkit-cache-') },
    });
    expect(run.exitCode).toBe(1);
    const report = JSON.parse(run.stdout) as {
      problems: Array<{ step: string; code: string; message: string; fix: string }>;
      toolchain: { pins: unknown[] };
    };
    const problem = report.problems.find((p) => p.step === 'toolchain');
    expect(problem).toMatchObject({ code: 'W_TOOLCHAIN_NOT_PROVISIONED', fix: 'devkit bootstrap' });
    expect(problem!.message).toMatch(
      /^package\.json packageManager pins pnpm 11\.19\.0; (pnpm on PATH is \d+\.\d+\.\d+|there is no pnpm on PATH); run `devkit bootstrap` to provision it$/,
    );
    expect(report.toolchain.pins).toEqual([
      { tool: 'pnpm', file: 'package.json', key: 'packageManager', value: '11.19.0', kind: 'pin' },
    ]);
  });
});
