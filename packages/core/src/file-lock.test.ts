import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { withFileLock, type LockHolder } from './file-lock.js';
import { isProcessAlive, processIdentity } from './process.js';

const FILE_LOCK_SOURCE = fileURLToPath(new URL('./file-lock.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => cleanupTempDirs());

const timeoutError = (holder: LockHolder) => new Error(`held by pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}`);

/** The pid of a process that has ended. */
function deadPid(): number {
  const pid = Number(
    spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim(),
  );
  expect(isProcessAlive(pid)).toBe(false);
  return pid;
}

/** Starts `node --import tsx <script>` and resolves once it has printed `line`. */
function startChild(script: string, args: string[], line: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes(line)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before printing ${line}: ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('withFileLock', () => {
  it('runs holders one after the other and removes the lock afterwards', async () => {
    const lock = join(tempDir('devkit-lock-'), 'locks', 'a.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(lock, { timeoutError }, async () => {
        events.push(`${name} in`);
        expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\t${processIdentity(process.pid)}\t${hostname()}\n`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    // Either may go first; what matters is that neither enters while the other holds the lock.
    expect(['a in,a out,b in,b out', 'b in,b out,a in,a out']).toContain(events.join(','));
    expect(existsSync(lock)).toBe(false);
  });

  it('releases the lock when the work throws', async () => {
    const lock = join(tempDir('devkit-lock-'), 'b.lock');
    await expect(withFileLock(lock, { timeoutError }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over the lock of a holder killed with SIGKILL, and waits for a live one until the timeout', async () => {
    const dir = tempDir('devkit-lock-');
    const lock = join(dir, 'c.lock');
    writeFiles(dir, {
      'hold.mts': `import { withFileLock } from ${JSON.stringify(FILE_LOCK_SOURCE)};
await withFileLock(process.argv[2], { timeoutError: () => new Error('timeout') }, async () => {
  console.log('held');
  await new Promise(() => setInterval(() => {}, 1000));
});
`,
    });
    const holder = await startChild(join(dir, 'hold.mts'), [lock], 'held');
    const started = Date.now();
    await expect(withFileLock(lock, { timeoutMs: 300, timeoutError }, async () => 'ran')).rejects.toThrow(
      `held by pid ${holder.pid} on ${hostname()}`,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    holder.kill('SIGKILL');
    await exited(holder);
    expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(`^${holder.pid}\\t`));
    expect(await withFileLock(lock, { timeoutMs: 2000, timeoutError }, async () => 'ran')).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose pid now names another process (a reused pid)', async () => {
    const lock = join(tempDir('devkit-lock-'), 'd.lock');
    writeFileSync(lock, `${process.pid}\tsome-other-boot:1\t${hostname()}\n`);
    expect(await withFileLock(lock, { timeoutMs: 1000, timeoutError }, async () => 'ran')).toBe('ran');
  });

  it('reads the older formats: a bare pid, and "pid identity"', async () => {
    const dir = tempDir('devkit-lock-');
    writeFileSync(join(dir, 'bare.lock'), `${deadPid()}\n`);
    expect(await withFileLock(join(dir, 'bare.lock'), { timeoutMs: 1000, timeoutError }, async () => 'ran')).toBe(
      'ran',
    );
    writeFileSync(join(dir, 'pair.lock'), `${deadPid()} boot:1\n`);
    expect(await withFileLock(join(dir, 'pair.lock'), { timeoutMs: 1000, timeoutError }, async () => 'ran')).toBe(
      'ran',
    );
    writeFileSync(join(dir, 'live.lock'), `${process.ppid}\n`);
    await expect(
      withFileLock(join(dir, 'live.lock'), { timeoutMs: 200, timeoutError }, async () => 'ran'),
    ).rejects.toThrow(`held by pid ${process.ppid}`);
  });

  it('waits for a lock still being written, and takes it over once its writer has clearly died', async () => {
    const lock = join(tempDir('devkit-lock-'), 'e.lock');
    writeFileSync(lock, `${deadPid()}`); // no newline: the writer may still be at it
    await expect(withFileLock(lock, { timeoutMs: 200, timeoutError }, async () => 'ran')).rejects.toThrow(
      'held by pid ?',
    );
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    expect(await withFileLock(lock, { timeoutMs: 1000, timeoutError }, async () => 'ran')).toBe('ran');
  });

  it('never takes over the lock of another host, and names that host', async () => {
    const lock = join(tempDir('devkit-lock-'), 'f.lock');
    writeFileSync(lock, `${deadPid()}\tboot:1\tother-host.example\n`);
    await expect(withFileLock(lock, { timeoutMs: 200, timeoutError }, async () => 'ran')).rejects.toThrow(
      /on other-host\.example$/,
    );
    expect(existsSync(lock)).toBe(true);
  });

  it('gets past a breaker lock left by a process that died while breaking', async () => {
    const lock = join(tempDir('devkit-lock-'), 'g.lock');
    writeFileSync(lock, `${deadPid()}\tboot:1\t${hostname()}\n`);
    writeFileSync(`${lock}.break`, `${deadPid()}\tboot:1\t${hostname()}\n`);
    expect(await withFileLock(lock, { timeoutMs: 2000, timeoutError }, async () => 'ran')).toBe('ran');
    expect(existsSync(`${lock}.break`)).toBe(false);
  });

  it('lets exactly one process at a time in when several find the same dead holder at once', async () => {
    const dir = tempDir('devkit-lock-');
    const lock = join(dir, 'h.lock');
    const log = join(dir, 'log');
    const go = join(dir, 'go');
    writeFiles(dir, {
      'race.mts': `import { appendFileSync, existsSync } from 'node:fs';
import { withFileLock } from ${JSON.stringify(FILE_LOCK_SOURCE)};
const [lock, log, go] = process.argv.slice(2);
console.log('ready');
while (!existsSync(go)) await new Promise((r) => setTimeout(r, 1));
await withFileLock(lock, { timeoutMs: 20_000, timeoutError: () => new Error('timeout') }, async () => {
  appendFileSync(log, 'in ' + process.pid + '\\n');
  await new Promise((r) => setTimeout(r, 40));
  appendFileSync(log, 'out ' + process.pid + '\\n');
});
`,
    });
    // Every round starts from a lock left by a dead holder, the case where a naive takeover lets two in.
    for (let round = 0; round < 3; round++) {
      writeFileSync(lock, `${deadPid()}\tboot:1\t${hostname()}\n`);
      writeFileSync(log, '');
      const racers = await Promise.all(
        Array.from({ length: 6 }, () => startChild(join(dir, 'race.mts'), [lock, log, go], 'ready')),
      );
      writeFileSync(go, '');
      expect(await Promise.all(racers.map(exited))).toEqual(racers.map(() => 0));
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(12);
      for (let i = 0; i < lines.length; i += 2) {
        const pid = lines[i]!.split(' ')[1];
        expect([lines[i], lines[i + 1]]).toEqual([`in ${pid}`, `out ${pid}`]);
      }
      expect(new Set(lines.map((l) => l.split(' ')[1])).size).toBe(6);
      expect(existsSync(lock)).toBe(false);
      rmSync(go);
    }
  }, 60_000);
});
