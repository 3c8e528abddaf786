import { spawnSync } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@devkit/test-utils';
import { liveLeases, takeLease } from './leases.js';

afterAll(cleanupTempDirs);

const endedPid = () =>
  Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());

describe('leases', () => {
  it('count while held and are released one by one, two in one process included', async () => {
    const root = tempDir();
    expect(await liveLeases(root)).toEqual([]);
    const first = await takeLease(root);
    const second = await takeLease(root);
    expect(await liveLeases(root)).toEqual([process.pid]);
    await first();
    expect(await liveLeases(root)).toEqual([process.pid]);
    await second();
    expect(await liveLeases(root)).toEqual([]);
    expect(await readdir(join(root, 'leases'))).toEqual([]);
  });

  it('drop the lease of an ended process and of a reused pid, keep an older pid-only lease of a live one', async () => {
    const root = tempDir();
    await takeLease(root);
    const dir = join(root, 'leases');
    const ended = endedPid();
    await writeFile(join(dir, `${ended}-dead`), 'boot:1\n');
    // Our pid, but another process's identity: the pid was reused since the lease was taken.
    await writeFile(join(dir, `${process.pid}-reused`), 'other-boot:42\n');
    await writeFile(join(dir, `${process.ppid}`), new Date().toISOString());
    await writeFile(join(dir, `${ended}`), new Date().toISOString());
    await writeFile(join(dir, 'junk'), '');
    expect((await liveLeases(root)).sort((a, b) => a - b)).toEqual([process.pid, process.ppid].sort((a, b) => a - b));
    const left = await readdir(dir);
    expect(left).toHaveLength(2);
    expect(left).toContain(`${process.ppid}`);
    expect(left).not.toContain(`${process.pid}-reused`);
  });
});
