import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { withFileLock } from './lock.js';

afterAll(() => cleanupTempDirs());

describe('withFileLock', () => {
  it('runs holders one after the other and removes the lock afterwards', async () => {
    const lock = join(tempDir('devkit-lock-'), 'locks', 'a.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(lock, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose holder no longer runs', async () => {
    const lock = join(tempDir('devkit-lock-'), 'b.lock');
    const dead = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
    writeFileSync(lock, String(dead));
    expect(await withFileLock(lock, async () => 'ran', { timeoutMs: 5000 })).toBe('ran');
  });

  it('waits for a live holder and gives up at its timeout', async () => {
    const lock = join(tempDir('devkit-lock-'), 'c.lock');
    writeFileSync(lock, String(process.ppid));
    await expect(withFileLock(lock, async () => 'ran', { timeoutMs: 700 })).rejects.toThrow(/timed out waiting/);
  });
});
