import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { withBuilderLock } from './lock.js';

afterAll(() => cleanupTempDirs());

describe('withBuilderLock', () => {
  it('creates the lock folder, and takes over a lock (bare pid, as older devkits wrote it) whose holder no longer runs', async () => {
    const lock = join(tempDir('devkit-lock-'), 'locks', 'b.lock');
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim(),
    );
    expect(await withBuilderLock(lock, async () => existsSync(lock), { timeoutMs: 5000 })).toBe(true);
    writeFileSync(lock, String(dead));
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    expect(await withBuilderLock(lock, async () => 'ran', { timeoutMs: 5000 })).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('waits for a live holder and gives up at its timeout with exit 3, naming its pid', async () => {
    const lock = join(tempDir('devkit-lock-'), 'c.lock');
    writeFileSync(lock, `${process.ppid}\n`);
    await expect(withBuilderLock(lock, async () => 'ran', { timeoutMs: 700 })).rejects.toMatchObject({
      code: 'E_NATIVE_LOCKED',
      exitCode: 3,
      message: `timed out waiting for ${lock}, held by pid ${process.ppid}`,
      hint: `wait for that devkit process to finish (or end it: kill ${process.ppid}), then run the command again`,
    });
    expect(existsSync(lock)).toBe(true);
  });
});
