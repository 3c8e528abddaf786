import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, tempDir } from '@devkit/test-utils';

// tools/test.mjs picks the Node the suite runs on before it builds or tests anything; these runs
// stop there (a stand-in `node` in the cache, or a missing one), so they take milliseconds.

afterAll(cleanupTempDirs);

const SCRIPT = join(REPO_ROOT, 'tools/test.mjs');

function runTestScript(args: string[], env: Record<string, string>) {
  const { CI: _ci, DEVKIT_TEST_REEXEC: _reexec, ...inherited } = process.env;
  return spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
}

/** A complete cache folder for `version` whose `bin/node` reports what it was started with. */
function standInNode(cache: string, version: string): string {
  const dir = join(cache, 'toolchains/node', version);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, '.devkit-toolchain.json'), JSON.stringify({ name: 'node-test', version }));
  writeFileSync(
    join(dir, 'bin/node'),
    '#!/bin/sh\necho "args: $*"\necho "path: ${PATH%%:*}"\necho "reexec: $DEVKIT_TEST_REEXEC"\nexit 7\n',
  );
  chmodSync(join(dir, 'bin/node'), 0o755);
  return dir;
}

describe('tools/test.mjs', () => {
  it('re-executes itself on the cached Node it asks for, first on PATH, passing its arguments and exit code', () => {
    const cache = tempDir('devkit-test-cache-');
    const dir = standInNode(cache, '99.1.2');
    const run = runTestScript(['--node', '99.1.2', '--smoke', '-t', 'x'], { DEVKIT_CACHE_DIR: cache, CI: 'true' });
    expect(run.status, run.stderr).toBe(7);
    expect(run.stdout).toBe(`args: ${SCRIPT} --node 99.1.2 --smoke -t x\npath: ${join(dir, 'bin')}\nreexec: 99.1.2\n`);
  });

  it('in CI, a Node missing from the cache is exit 3 with the command that gets it', () => {
    const cache = tempDir('devkit-test-cache-');
    const run = runTestScript(['--node', '99.1.3'], { DEVKIT_CACHE_DIR: cache, CI: 'true' });
    expect(run.status).toBe(3);
    expect(run.stderr).toBe(
      `test: Node 99.1.3 is not in the toolchain cache (${join(cache, 'toolchains/node/99.1.3')}); run ./tools/bootstrap.sh or tools/toolchain.sh node 99.1.3 first\n`,
    );
  });

  it('refuses a Node that does not report the version it was asked for, rather than looping', () => {
    const cache = tempDir('devkit-test-cache-');
    const dir = standInNode(cache, '99.1.4');
    const run = runTestScript(['--node', '99.1.4'], {
      DEVKIT_CACHE_DIR: cache,
      DEVKIT_TEST_REEXEC: '99.1.4',
      PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain(`reports Node ${process.versions.node}, not 99.1.4`);
  });

  it('takes an exact version only', () => {
    const run = runTestScript(['--node', '24'], { CI: 'true' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('test: need an exact Node version (like 24.22.3), got "24"\n');
  });
});
