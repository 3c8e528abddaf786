import { describe, expect, it } from 'vitest';
import { DevkitError } from '@devkit/core';
import { COMMANDS } from './commands.js';
import { formatHelp, parseArgv } from './parse.js';

function usage(argv: string[]): DevkitError {
  try {
    parseArgv(argv, COMMANDS);
  } catch (error) {
    if (error instanceof DevkitError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseArgv', () => {
  it('resolves nested commands, flags anywhere and positional arguments', () => {
    const parsed = parseArgv(['--json', 'hooks', 'run', 'pre-commit', '--cwd=/tmp/x'], COMMANDS);
    expect(parsed).toMatchObject({ kind: 'run', path: ['hooks', 'run'], args: { hook: 'pre-commit', hookArgs: [] }, json: true, cwd: '/tmp/x' });
  });

  it('takes short flags and string values given as the next token', () => {
    const parsed = parseArgv(['bootstrap', '-y', '--cwd', 'repo'], COMMANDS);
    expect(parsed).toMatchObject({ kind: 'run', flags: { yes: true, cwd: 'repo' } });
  });

  it('suggests the nearest command for a typo (exit 2)', () => {
    const error = usage(['bootstrp']);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('did you mean `devkit bootstrap`?');
    expect(usage(['hooks', 'instal']).message).toContain('`devkit hooks install`');
  });

  it('suggests the nearest flag for a typo, from the command and the global flags', () => {
    expect(usage(['bootstrap', '--yse']).message).toContain('did you mean --yes?');
    expect(usage(['doctor', '--jsn']).message).toContain('did you mean --json?');
    expect(usage(['doctor', '--yes']).code).toBe('E_UNKNOWN_FLAG');
  });

  it('rejects missing and extra arguments, and flags without their value', () => {
    expect(usage(['hooks', 'run']).code).toBe('E_MISSING_ARGUMENT');
    expect(usage(['doctor', 'extra']).code).toBe('E_EXTRA_ARGUMENT');
    expect(usage(['doctor', '--cwd']).code).toBe('E_FLAG_VALUE');
    expect(usage(['doctor', '--json=1']).code).toBe('E_FLAG_VALUE');
    expect(usage(['hooks']).code).toBe('E_MISSING_COMMAND');
  });

  it('treats everything after -- as arguments', () => {
    const parsed = parseArgv(['hooks', 'run', 'commit-msg', '--', '--not-a-flag'], COMMANDS);
    expect(parsed).toMatchObject({ args: { hook: 'commit-msg', hookArgs: ['--not-a-flag'] } });
  });

  it('answers --help and --version, and shows help for no arguments', () => {
    expect(parseArgv(['--version'], COMMANDS).kind).toBe('version');
    expect(parseArgv([], COMMANDS).kind).toBe('help');
    const help = parseArgv(['bootstrap', '--help'], COMMANDS);
    expect(help.kind).toBe('help');
    if (help.kind === 'help') expect(formatHelp(help.command, help.path)).toContain('--dry-run');
  });
});
