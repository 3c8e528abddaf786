import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, copyFixture, hasBinary, requirePrerequisite, runDevkit, tempDir } from '@devkit/test-utils';

// No Docker here: verification and usage errors work on any machine.

afterAll(() => cleanupTempDirs());

function hostGlibc(): string {
  return execFileSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' }).trim().split(' ')[1]!;
}

describe('devkit native verify', () => {
  it("fails a binary built on this machine's glibc (2.36) for the glibc 2.31 target, naming the symbol and its library", async () => {
    requirePrerequisite('gcc', hasBinary('gcc'), 'apt-get install gcc');
    expect(Number(hostGlibc().split('.')[1])).toBeGreaterThanOrEqual(36);
    const dir = tempDir('devkit-verify-');
    // arc4random came with glibc 2.36; memcpy is as old as x86-64 glibc.
    writeFileSync(
      join(dir, 'rand.c'),
      '#include <stdlib.h>\n#include <string.h>\n#include <stdio.h>\nint main(int c, char **v) { char b[8]; memcpy(b, v[0], 4); printf("%u\\n", arc4random() ^ b[0]); return 0; }\n',
    );
    execFileSync('gcc', ['-O2', '-o', join(dir, 'rand'), join(dir, 'rand.c')]);
    const run = await runDevkit(['native', 'verify', 'rand', '--target', 'linux-x64-gnu'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /symbol arc4random needs GLIBC_2\.36 from libc\.so\.6, not available on linux-x64-gnu \(glibc 2\.31\)/,
    );
    expect(run.stdout).not.toMatch(/memcpy/);
    const json = JSON.parse(
      (await runDevkit(['native', 'verify', 'rand', '--target', 'linux-x64-gnu', '--json'], { cwd: dir })).stdout,
    ) as {
      ok: boolean;
      floor: { glibc: string };
      violations: Array<{ symbol?: string; version?: string; library?: string }>;
    };
    expect(json.ok).toBe(false);
    expect(json.floor.glibc).toBe('2.36');
    expect(
      json.violations.filter((v) => v.symbol !== undefined).map((v) => [v.symbol, v.version, v.library]),
    ).toContainEqual(['arc4random', 'GLIBC_2.36', 'libc.so.6']);
    // The same file passes once the target's floor is raised to the host's glibc.
    writeFileSync(
      join(dir, 'devkit.json'),
      JSON.stringify({ native: { targets: { 'linux-x64-gnu': { glibc: '2.36' } } } }),
    );
    expect((await runDevkit(['native', 'verify', 'rand', '--target', 'linux-x64-gnu'], { cwd: dir })).exitCode).toBe(0);
  });

  it('passes the host Node binary for linux-x64-gnu and fails it for linux-arm64-gnu', async () => {
    const dir = tempDir('devkit-verify-');
    const ok = await runDevkit(['native', 'verify', process.execPath, '--target', 'linux-x64-gnu'], { cwd: dir });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/meets linux-x64-gnu \(elf; needs glibc 2\.\d+/);
    const arm = await runDevkit(['native', 'verify', process.execPath, '--target', 'linux-arm64-gnu'], { cwd: dir });
    expect(arm.exitCode).toBe(1);
    expect(arm.stdout).toMatch(/is 64-bit x86-64, but linux-arm64-gnu needs 64-bit aarch64/);
    // GLIBC_2.2.5 never existed on aarch64: set membership catches it where a max comparison would not.
    expect(arm.stdout).toMatch(/needs GLIBC_2\.2\.5 from libc\.so\.6, not available on linux-arm64-gnu/);
  });
});

describe('usage errors', () => {
  it('an unknown target: exit 2 with the valid names', async () => {
    const dir = tempDir('devkit-verify-');
    const run = await runDevkit(['native', 'verify', process.execPath, '--target', 'linux-x86'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/unknown native target "linux-x86"/);
    expect(run.stderr).toMatch(/use one of: darwin-arm64, darwin-x64, linux-arm64-gnu, linux-x64-gnu/);
    const build = await runDevkit(['native', 'build', '--target', 'windows-x64'], { cwd: copyFixture('acme') });
    expect(build.exitCode).toBe(2);
    expect(build.stderr).toMatch(/use one of: darwin-arm64, darwin-x64, linux-arm64-gnu, linux-x64-gnu/);
  });

  it('an unknown builder: exit 2 with the valid names, before any engine is needed', async () => {
    const repo = copyFixture('acme');
    const file = join(repo, 'devkit.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { native: Record<string, unknown> };
    config.native.targets = { 'linux-x64-gnu': { builder: 'centos7' } };
    writeFileSync(file, JSON.stringify(config));
    const run = await runDevkit(['native', 'build'], {
      cwd: repo,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(run.exitCode).toBe(2);
    // devkit.json's own rules catch it, naming the key.
    expect(run.stderr).toMatch(
      /native\.targets\.linux-x64-gnu\.builder: target linux-x64-gnu names builder "centos7", which is neither built in nor declared in native\.builders/,
    );
    const images = await runDevkit(['native', 'images', '--builder', 'centos7'], { cwd: copyFixture('acme') });
    expect(images.exitCode).toBe(2);
    expect(images.stderr).toMatch(/unknown builder "centos7"/);
    expect(images.stderr).toMatch(/use one of: bookworm, bullseye/);
  });

  it('an unknown package: exit 2 with the native packages of devkit.json', async () => {
    const run = await runDevkit(['native', 'build', '--package', '@acme/nope'], { cwd: copyFixture('acme') });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/"@acme\/nope" is not a native package in devkit.json/);
    expect(run.stderr).toMatch(/use one of: @acme\/fastdiff/);
  });
});
