import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandError } from './command-error.js';
import { runCommand } from './exec.js';
import { processIdentity } from './process.js';
import { runCommandSync, spawnProcess } from './spawn.js';

const cwd = mkdtempSync(join(tmpdir(), 'devkit-exec-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** A node script that writes each part to stdout as its own chunk, 40 ms apart. */
function writesInChunks(parts: Buffer[]): string[] {
  const hex = parts.map((p) => p.toString('hex'));
  return [
    '-e',
    `const parts = ${JSON.stringify(hex)}; let i = 0; const next = () => { if (i < parts.length) process.stdout.write(Buffer.from(parts[i++], 'hex'), () => setTimeout(next, 40)); }; next();`,
  ];
}

async function caught(promise: Promise<unknown>): Promise<CommandError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CommandError);
    return error as CommandError;
  }
  throw new Error('expected the command to fail');
}

describe.each(['node', 'execa'] as const)('runCommand through %s', (engine) => {
  it('delivers a line written across two chunks as one line', async () => {
    const lines: string[] = [];
    const result = await runCommand(
      process.execPath,
      writesInChunks([Buffer.from('first li'), Buffer.from('ne\nsecond'), Buffer.from(' line\n')]),
      {
        cwd,
        engine,
        onLine: (line, stream) => lines.push(`${stream}:${line}`),
      },
    );
    expect(lines).toEqual(['stdout:first line', 'stdout:second line']);
    expect(result.stdout).toBe('first line\nsecond line');
    expect(result.exitCode).toBe(0);
  });

  it('keeps a multi-byte character cut between two chunks whole', async () => {
    const euro = Buffer.from('prix: 5 €, 😀\n', 'utf8');
    const cut = euro.indexOf(0xe2) + 1; // inside the three bytes of '€'
    const emoji = euro.indexOf(0xf0) + 2; // inside the four bytes of '😀'
    const lines: string[] = [];
    await runCommand(
      process.execPath,
      writesInChunks([euro.subarray(0, cut), euro.subarray(cut, emoji), euro.subarray(emoji)]),
      { cwd, engine, onLine: (line) => lines.push(line) },
    );
    expect(lines).toEqual(['prix: 5 €, 😀']);
  });

  it('fails a non-zero exit with the one error shape, credentials redacted', async () => {
    const url = 'https://deploy:hunter22@registry.example/v2';
    const script = `console.log('pushing to ' + process.argv[1]); console.error('token s3cr3t-token rejected'); process.exit(3)`;
    const error = await caught(
      runCommand(process.execPath, ['-e', script, url], {
        cwd,
        engine,
        secrets: ['s3cr3t-token'],
        failure: { code: 'E_PUSH_FAILED', exitCode: 3, hint: 'log in again' },
      }),
    );
    expect(error.code).toBe('E_PUSH_FAILED');
    expect(error.exitCode).toBe(3);
    expect(error.hint).toBe('log in again');
    expect(error.processExitCode).toBe(3);
    expect(error.signal).toBeNull();
    expect(error.command).toContain('https://***@registry.example/v2');
    expect(error.summary).toBe(`\`${error.command}\` exited with code 3: token *** rejected`);
    expect(error.summary).not.toContain('\n');
    expect(error.output).toBe('pushing to https://***@registry.example/v2\ntoken *** rejected');
    expect(error.message).toContain('exited with code 3:\npushing to');
    const everything = JSON.stringify(error.toJSON()) + error.message;
    expect(everything).not.toContain('hunter22');
    expect(everything).not.toContain('s3cr3t-token');
    expect(error.toJSON().details).toMatchObject({
      exitCode: 3,
      signal: null,
      command: error.command,
      summary: error.summary,
    });
  });

  it('returns the exit code instead of failing when asked', async () => {
    const result = await runCommand(process.execPath, ['-e', 'process.stdout.write("x"); process.exit(5)'], {
      cwd,
      engine,
      reject: false,
    });
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toBe('x');
  });

  it('stops the command when the signal is aborted, and its process group when asked', async () => {
    const controller = new AbortController();
    const pids: number[] = [];
    // The child starts a grandchild in its group, prints both pids, then waits forever.
    const script = `const { spawn } = require('node:child_process'); const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(process.pid + ' ' + g.pid); setInterval(() => {}, 1000);`;
    const run = runCommand(process.execPath, ['-e', script], {
      cwd,
      engine,
      signal: controller.signal,
      killProcessGroup: true,
      onLine: (line) => {
        pids.push(...line.split(' ').map(Number));
        controller.abort(new Error('interrupted by SIGINT'));
      },
    });
    const error = await caught(run);
    expect(error.code).toBe('E_INTERRUPTED');
    expect(error.reason).toBe('aborted');
    expect(error.signal).toBe('SIGTERM');
    expect(error.cause).toBe(controller.signal.reason);
    expect(error.message).toContain('was stopped: interrupted by SIGINT');
    expect(pids).toHaveLength(2);
    // processIdentity, not a bare kill(0): an orphaned grandchild may stay a zombie until reaped.
    const running = () => pids.filter((pid) => processIdentity(pid) !== undefined);
    for (let i = 0; i < 50 && running().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(running()).toEqual([]);
  });

  it('stops a command that runs past its timeout', async () => {
    const error = await caught(
      runCommand(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd, engine, timeoutMs: 200 }),
    );
    expect(error.code).toBe('E_COMMAND_FAILED');
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/timed out after 200 ms/);
  });

  it('tells a missing binary as something the machine lacks (exit 3)', async () => {
    const error = await caught(
      runCommand('devkit-no-such-binary', ['--version'], { cwd, engine, missingHint: 'apt-get install it' }),
    );
    expect(error.code).toBe('E_BINARY_MISSING');
    expect(error.exitCode).toBe(3);
    expect(error.hint).toBe('apt-get install it');
    expect(error.message).toBe(
      'devkit-no-such-binary was not found on PATH (needed to run: devkit-no-such-binary --version)',
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('tells a missing working folder apart from a missing binary', async () => {
    const error = await caught(runCommand(process.execPath, ['--version'], { cwd: join(cwd, 'gone'), engine }));
    expect(error.code).toBe('E_COMMAND_START');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`its working folder ${join(cwd, 'gone')} does not exist`);
  });

  it('passes input on stdin and the environment given over the inherited one', async () => {
    const result = await runCommand(
      process.execPath,
      [
        '-e',
        'let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => console.log(s + process.env.DEVKIT_EXEC_TEST + (process.env.PATH ? " path" : "")))',
      ],
      {
        cwd,
        engine,
        input: 'in-',
        env: { DEVKIT_EXEC_TEST: 'env' },
      },
    );
    expect(result.stdout).toBe('in-env path');
  });
});

describe('spawnProcess', () => {
  it('rejects `started` with the error shape when the binary is missing', async () => {
    const spawned = spawnProcess('devkit-no-such-binary', [], { cwd });
    await expect(spawned.started).rejects.toMatchObject({ code: 'E_BINARY_MISSING', exitCode: 3 });
    await expect(spawned.finished).rejects.toMatchObject({ code: 'E_BINARY_MISSING' });
  });

  it('keeps only stderr for the error when stdout is data', async () => {
    const spawned = spawnProcess(
      process.execPath,
      ['-e', 'process.stdout.write("blob bytes"); console.error("fatal: bad object"); process.exit(128)'],
      { cwd, capture: 'stderr', failure: { code: 'E_GIT_FAILED', exitCode: 1 } },
    );
    await expect(spawned.finished).rejects.toMatchObject({
      code: 'E_GIT_FAILED',
      processExitCode: 128,
      output: 'fatal: bad object',
    });
  });
});

describe('runCommandSync', () => {
  it('fails with the same shape as the asynchronous runner', () => {
    let error: unknown;
    try {
      runCommandSync(process.execPath, ['-e', 'console.error("no"); process.exit(2)', 'https://u:p@h/'], { cwd });
    } catch (caughtError) {
      error = caughtError;
    }
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ code: 'E_COMMAND_FAILED', processExitCode: 2, output: 'no' });
    expect((error as CommandError).command).toContain('https://***@h/');
    expect(() => runCommandSync('devkit-no-such-binary', [], { cwd })).toThrow(
      expect.objectContaining({ code: 'E_BINARY_MISSING', exitCode: 3 }),
    );
    expect(runCommandSync(process.execPath, ['-e', 'console.log("ok")'], { cwd }).stdout).toBe('ok');
  });
});
