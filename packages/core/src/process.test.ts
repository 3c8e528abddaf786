import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, processIdentity } from './process.js';

describe('isProcessAlive and processIdentity', () => {
  it('tell a live process (of any owner) from an ended one', () => {
    const ended = Number(
      spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim(),
    );
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(1)).toBe(true); // init: another owner's process, EPERM to signal when not root
    expect(isProcessAlive(ended)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
    expect(processIdentity(ended)).toBeUndefined();
  });

  it('is stable for one process and differs between two', () => {
    const mine = processIdentity(process.pid);
    expect(mine).toMatch(/:/);
    expect(processIdentity(process.pid)).toBe(mine);
    expect(processIdentity(process.ppid)).not.toBe(mine);
  });
});
