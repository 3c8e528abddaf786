import { describe, expect, expectTypeOf, it } from 'vitest';
import { DevkitError } from '@devkit/core';
import { COMMANDS } from './command-tree.js';
import type { artifactGcSpec, envSpec, historySpec, nativeBuildSpec, upSpec } from './commands.js';
import { formatHelp, parseArgv } from './parse.js';
import type { CommandInput, CommandSpec, InputSpec, NoInput } from './spec.js';

function usage(argv: string[], root: CommandSpec = COMMANDS): DevkitError {
  try {
    parseArgv(argv, root);
  } catch (error) {
    if (error instanceof DevkitError) return error;
    throw error;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseArgv', () => {
  it('resolves nested commands, flags anywhere and positional arguments', () => {
    const parsed = parseArgv(['--json', 'hooks', 'run', 'pre-commit', '--cwd=/tmp/x'], COMMANDS);
    expect(parsed).toMatchObject({
      kind: 'run',
      path: ['hooks', 'run'],
      args: { hook: 'pre-commit', hookArgs: [] },
      json: true,
      cwd: '/tmp/x',
    });
  });

  it('takes short flags and string values given as the next token', () => {
    const parsed = parseArgv(['bootstrap', '-y', '--cwd', 'repo'], COMMANDS);
    expect(parsed).toMatchObject({ kind: 'run', flags: { yes: true }, cwd: 'repo' });
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

  it('answers --version and --help on every command, before checking what the command needs', () => {
    expect(parseArgv(['up', '--version'], COMMANDS)).toEqual({ kind: 'version', json: false });
    expect(parseArgv(['artifact', 'push', '-v', '--json'], COMMANDS)).toEqual({ kind: 'version', json: true });
    // `logs` needs <service> and `history` needs --env: --help and --version still answer.
    expect(parseArgv(['logs', '-h'], COMMANDS)).toMatchObject({ kind: 'help', path: ['logs'] });
    expect(parseArgv(['history', '--version'], COMMANDS).kind).toBe('version');
    expect(parseArgv(['logs', '--lines', 'many', '--help'], COMMANDS)).toMatchObject({ kind: 'help', path: ['logs'] });
  });

  it('answers devkit help <command…> with that command', () => {
    const help = parseArgv(['help', 'artifact', 'push'], COMMANDS);
    expect(help).toMatchObject({ kind: 'help', path: ['artifact', 'push'] });
    if (help.kind === 'help') expect(formatHelp(help.command, help.path)).toMatch(/^devkit artifact push <ref> — /);
    expect(parseArgv(['help'], COMMANDS)).toMatchObject({ kind: 'help', path: [] });
    expect(parseArgv(['help', 'snapshot'], COMMANDS)).toMatchObject({ kind: 'help', path: ['snapshot'] });
    const typo = usage(['help', 'artifact', 'psh']);
    expect(typo.code).toBe('E_UNKNOWN_COMMAND');
    expect(typo.hint).toBe('devkit help artifact push');
    expect(usage(['help', 'logs', 'redis']).code).toBe('E_EXTRA_ARGUMENT');
  });
});

/** A small tree with one flag of each kind, so each check is tested on its own. */
const probeSpec = {
  args: [
    { name: 'name', required: true },
    { name: 'rest', variadic: true },
  ],
  flags: {
    mode: { type: 'string', values: ['fast', 'safe'], default: 'safe', description: 'how' },
    env: {
      type: 'string',
      required: true,
      example: 'production',
      placeholder: '<env>',
      description: 'the environment',
    },
    count: { type: 'number', integer: true, min: 1, max: 9, short: 'n', placeholder: '<n>', description: 'how many' },
    wait: { type: 'number', above: 0, example: '1.5', placeholder: '<seconds>', description: 'how long' },
    target: { type: 'list', example: 'a,b', placeholder: '<target,…>', description: 'which' },
    staged: { type: 'boolean', conflicts: ['since'], description: 'the index' },
    since: { type: 'string', example: 'origin/main', placeholder: '<ref>', description: 'since a ref' },
  },
} as const satisfies InputSpec;

const probeTree: CommandSpec = {
  name: 'devkit',
  summary: 'test tree',
  subcommands: [
    {
      name: 'probe',
      summary: 'takes one flag of each kind',
      ...probeSpec,
      load: () => Promise.reject(new Error('never loaded by the parser')),
    },
  ],
};

function probe(...argv: string[]) {
  const parsed = parseArgv(['probe', ...argv], probeTree);
  if (parsed.kind !== 'run') throw new Error(`expected a run, got ${parsed.kind}`);
  return parsed;
}

describe('parseArgv: typed flags and arguments', () => {
  it('gives each flag its type: switches false when absent, defaults filled, numbers as numbers, lists split and merged', () => {
    expect(probe('x', '--env', 'prod').flags).toEqual({
      mode: 'safe',
      env: 'prod',
      count: undefined,
      wait: undefined,
      target: undefined,
      staged: false,
      since: undefined,
    });
    const parsed = probe(
      'x',
      'y',
      'z',
      '--env=prod',
      '-n',
      '3',
      '--wait',
      '0.5',
      '--target',
      'a, b,',
      '--target=c',
      '--mode',
      'fast',
      '--staged',
    );
    expect(parsed.flags).toEqual({
      mode: 'fast',
      env: 'prod',
      count: 3,
      wait: 0.5,
      target: ['a', 'b', 'c'],
      staged: true,
      since: undefined,
    });
    expect(parsed.args).toEqual({ name: 'x', rest: ['y', 'z'] });
    // Global flags are not the command's: they come out as json and cwd.
    expect(parseArgv(['probe', 'x', '--env', 'e', '--json', '--cwd', '/r'], probeTree)).toMatchObject({
      json: true,
      cwd: '/r',
      flags: { env: 'e' },
    });
  });

  it('E_UNKNOWN_FLAG names the nearest flag and shows the corrected command', () => {
    const error = usage(['probe', 'x', '--cont', '2'], probeTree);
    expect(error).toMatchObject({ code: 'E_UNKNOWN_FLAG', exitCode: 2, hint: 'devkit probe x --count' });
    expect(error.message).toContain('did you mean --count?');
    expect(usage(['probe', '--zzzzzz'], probeTree).hint).toBe('devkit probe --help');
  });

  it('E_FLAG_VALUE for a missing value, a value not among the choices, a bad number, an empty list and a value for a switch', () => {
    const missing = usage(['probe', 'x', '--env'], probeTree);
    expect(missing).toMatchObject({ code: 'E_FLAG_VALUE', exitCode: 2, hint: 'devkit probe x --env production' });
    expect(missing.message).toBe('--env needs a value <env>');
    expect(usage(['probe', 'x', '--count', '--staged'], probeTree).message).toBe('--count needs a value <n>');

    const choice = usage(['probe', 'x', '--env', 'e', '--mode', 'fats'], probeTree);
    expect(choice).toMatchObject({ code: 'E_FLAG_VALUE', hint: 'devkit probe x --mode fast' });
    expect(choice.message).toBe('--mode must be one of fast, safe (found "fats"); did you mean fast?');

    for (const bad of ['0', '10', '2.5', 'two', '', '0x3', '-1']) {
      const error = usage(['probe', 'x', '--env', 'e', `--count=${bad}`], probeTree);
      expect(error.code).toBe('E_FLAG_VALUE');
      expect(error.message).toBe(`--count must be a whole number ≥ 1 and ≤ 9 (found ${JSON.stringify(bad)})`);
      expect(error.hint).toBe('devkit probe x --count 1');
    }
    // A negative number is taken as the value (and refused for its bound), not as a flag.
    expect(usage(['probe', 'x', '--env', 'e', '--count', '-1'], probeTree).message).toContain('(found "-1")');
    expect(usage(['probe', 'x', '--env', 'e', '--wait', '0'], probeTree)).toMatchObject({
      code: 'E_FLAG_VALUE',
      message: '--wait must be a number > 0 (found "0")',
      hint: 'devkit probe x --wait 1.5',
    });

    expect(usage(['probe', 'x', '--env', 'e', '--target', ' , '], probeTree)).toMatchObject({
      code: 'E_FLAG_VALUE',
      message: '--target needs one name or more, separated by commas',
      hint: 'devkit probe x --target a,b',
    });
    expect(usage(['probe', 'x', '--env', 'e', '--staged=yes'], probeTree)).toMatchObject({
      code: 'E_FLAG_VALUE',
      hint: 'devkit probe x --staged',
    });
  });

  it('E_MISSING_FLAG for a required flag, with an example in the fix', () => {
    const error = usage(['probe', 'api'], probeTree);
    expect(error).toMatchObject({ code: 'E_MISSING_FLAG', exitCode: 2, hint: 'devkit probe api --env production' });
    expect(error.message).toBe('`devkit probe` needs --env <env> (the environment)');
    expect(usage(['history', 'api']).hint).toBe('devkit history api --env production');
  });

  it('E_FLAG_CONFLICT for flags that exclude each other', () => {
    const error = usage(['probe', 'x', '--env', 'e', '--since', 'HEAD', '--staged'], probeTree);
    expect(error).toMatchObject({
      code: 'E_FLAG_CONFLICT',
      exitCode: 2,
      message: '--staged and --since cannot be used together',
      hint: 'devkit probe --staged, or devkit probe --since origin/main',
    });
    expect(usage(['lint', '--staged', '--since', 'HEAD']).code).toBe('E_FLAG_CONFLICT');
  });

  it('E_MISSING_ARGUMENT and E_EXTRA_ARGUMENT show the command with its arguments', () => {
    expect(usage(['probe', '--env', 'e'], probeTree)).toMatchObject({
      code: 'E_MISSING_ARGUMENT',
      exitCode: 2,
      message: '`devkit probe` needs <name>',
      hint: 'devkit probe <name>',
    });
    const extra = usage(['why', 'a', 'b', 'c']);
    expect(extra).toMatchObject({ code: 'E_EXTRA_ARGUMENT', exitCode: 2, hint: 'devkit why a b' });
    expect(extra.message).toBe('unexpected argument "c" for `devkit why` (it takes: devkit why <a> <b>)');
  });

  it("parses the real commands' numbers and lists", () => {
    expect(parseArgv(['artifact', 'gc'], COMMANDS)).toMatchObject({ flags: { 'keep-builds': 3, prune: false } });
    expect(parseArgv(['artifact', 'gc', '--keep-builds', '1'], COMMANDS)).toMatchObject({
      flags: { 'keep-builds': 1 },
    });
    expect(usage(['artifact', 'gc', '--keep-builds', '0']).message).toBe(
      '--keep-builds must be a whole number ≥ 1 (found "0")',
    );
    expect(parseArgv(['logs', 'redis', '-n', '5'], COMMANDS)).toMatchObject({
      args: { service: 'redis' },
      flags: { lines: 5, follow: false },
    });
    expect(usage(['logs', 'redis', '--lines', 'x'])).toMatchObject({
      code: 'E_FLAG_VALUE',
      hint: 'devkit logs redis --lines 200',
    });
    expect(parseArgv(['up', '--timeout', '0.5'], COMMANDS)).toMatchObject({
      flags: { timeout: 0.5 },
      args: { services: [] },
    });
    expect(parseArgv(['native', 'build', '--target', 'linux-x64-gnu,darwin-arm64'], COMMANDS)).toMatchObject({
      flags: { target: ['linux-x64-gnu', 'darwin-arm64'], package: undefined },
    });
    expect(usage(['native', 'verify', 'a.node'])).toMatchObject({
      code: 'E_MISSING_FLAG',
      hint: 'devkit native verify a.node --target linux-x64-gnu',
    });
    expect(usage(['env', '--format', 'yaml']).message).toBe(
      '--format must be one of dotenv, json, shell (found "yaml")',
    );
  });

  it("infers each handler's input type from its command's spec", () => {
    type Probe = CommandInput<typeof probeSpec>;
    expectTypeOf<Probe['flags']['mode']>().toEqualTypeOf<'fast' | 'safe'>();
    expectTypeOf<Probe['flags']['env']>().toEqualTypeOf<string>();
    expectTypeOf<Probe['flags']['count']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Probe['flags']['target']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<Probe['flags']['staged']>().toEqualTypeOf<boolean>();
    expectTypeOf<Probe['args']>().toEqualTypeOf<{ readonly name: string; readonly rest: string[] }>();
    expectTypeOf<CommandInput<typeof artifactGcSpec>['flags']['keep-builds']>().toEqualTypeOf<number>();
    expectTypeOf<CommandInput<typeof upSpec>['flags']['timeout']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CommandInput<typeof envSpec>['flags']['format']>().toEqualTypeOf<'dotenv' | 'json' | 'shell'>();
    expectTypeOf<CommandInput<typeof historySpec>['flags']['env']>().toEqualTypeOf<string>();
    expectTypeOf<CommandInput<typeof nativeBuildSpec>['flags']['target']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<keyof CommandInput<NoInput>['flags']>().toEqualTypeOf<never>();
    // @ts-expect-error a flag the command does not declare is not there
    expectTypeOf<Probe['flags']['nope']>().toBeUnknown();
  });
});
