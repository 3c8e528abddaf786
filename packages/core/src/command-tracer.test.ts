import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCommand } from './exec.js';
import { runCommandSync, setCommandTracer, type CommandTraceEnd, type CommandTraceStart } from './spawn.js';

const cwd = mkdtempSync(join(tmpdir(), 'devkit-trace-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));
afterEach(() => setCommandTracer(undefined));

function record(): Array<{ start: CommandTraceStart; end?: CommandTraceEnd }> {
  const seen: Array<{ start: CommandTraceStart; end?: CommandTraceEnd }> = [];
  setCommandTracer((start) => {
    const entry: { start: CommandTraceStart; end?: CommandTraceEnd } = { start };
    seen.push(entry);
    return (end) => void (entry.end = end);
  });
  return seen;
}

describe('the command tracer', () => {
  it('sees each command start and end, with its folder, exit code and duration, secrets redacted', async () => {
    const seen = record();
    await runCommand(process.execPath, ['-e', 'setTimeout(() => process.exit(3), 30)', 's3cret-token'], {
      cwd,
      engine: 'node',
      reject: false,
      secrets: ['s3cret-token'],
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.start.cwd).toBe(cwd);
    expect(seen[0]!.start.command).toContain('***');
    expect(seen[0]!.start.command).not.toContain('s3cret-token');
    expect(seen[0]!.end).toMatchObject({ exitCode: 3, signal: null });
    expect(seen[0]!.end!.durationMs).toBeGreaterThanOrEqual(25);
  });

  it('sees commands that cannot start and synchronous ones, and nothing once cleared', async () => {
    const seen = record();
    await expect(runCommand('devkit-no-such-binary', [], { cwd, engine: 'node' })).rejects.toThrow();
    runCommandSync(process.execPath, ['-e', ''], { cwd });
    expect(seen.map((s) => s.start.command)).toEqual(['devkit-no-such-binary', `${process.execPath} -e `]);
    expect(seen[0]!.end?.error).toMatch(/could not start \(ENOENT\)/);
    expect(seen[1]!.end).toMatchObject({ exitCode: 0 });
    setCommandTracer(undefined);
    await runCommand(process.execPath, ['-e', ''], { cwd, engine: 'node' });
    expect(seen).toHaveLength(2);
  });
});
