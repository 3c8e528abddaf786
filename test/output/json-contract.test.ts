import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, GLOBAL_FLAGS, type CommandSpec } from '@devkit/cli';
import { cleanupTempDirs, runDevkit, tempDir } from '@devkit/test-utils';
import { smallRepo } from './helpers.js';

afterAll(cleanupTempDirs);

interface Leaf {
  path: string[];
  spec: CommandSpec;
}

/** Every command of the tree that runs a handler (`help` is answered by the parser, as text). */
function leaves(command: CommandSpec, path: string[] = []): Leaf[] {
  const own = command.load && path.length > 0 ? [{ path, spec: command }] : [];
  return [...own, ...(command.subcommands ?? []).flatMap((c) => leaves(c, [...path, c.name]))];
}

/** Arguments a command needs to get past the parser, where the generic ones would not say much. */
const REALISTIC: Record<string, string[]> = {
  exec: ['--', 'node', '--version'],
  'hooks run': ['pre-commit'],
  completion: ['bash'],
  __complete: ['--', 'up', ''],
  'native verify': ['missing.node', '--target', 'linux-x64-gnu'],
  'artifact push': ['api', '--registry', 'http://127.0.0.1:9'],
  'artifact pull': ['api@sha256:' + '0'.repeat(64), '--registry', 'http://127.0.0.1:9'],
};

/**
 * `devkit <path> --json <required args and flags>`: each required argument as `x`, each required
 * flag with its example value — so that a command added to the tree is run here without anyone
 * writing its line.
 */
function argvFor({ path, spec }: Leaf, globals: string[] = []): string[] {
  const realistic = REALISTIC[path.join(' ')];
  if (realistic) return [...path, '--json', ...globals, ...realistic];
  const args = (spec.args ?? []).filter((a) => a.required).map(() => 'x');
  const flags = Object.entries(spec.flags ?? {}).flatMap(([name, flag]) =>
    flag.type !== 'boolean' && flag.required
      ? [`--${name}`, flag.example ?? (flag.type === 'string' ? flag.values?.[0] : undefined) ?? 'x']
      : [],
  );
  return [...path, '--json', ...globals, ...args, ...flags];
}

// Commands that need Docker, a registry or services fail fast here, with their error document:
// no engine answers at DOCKER_HOST, no registry at port 9, no service is declared.
const ENV = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', DEVKIT_REGISTRY: undefined, GITHUB_ACTIONS: undefined };

function expectContract(stdout: string, exitCode: number, what: string) {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: stdout is not one JSON document (exit ${exitCode}):\n${stdout}`);
  }
  expect(Object.keys(doc).slice(0, 2), what).toEqual(['ok', 'schemaVersion']);
  expect(doc.schemaVersion, what).toBe(1);
  expect(doc.ok, `${what}: ok must say whether the exit code is 0 (it is ${exitCode})`).toBe(exitCode === 0);
  if (exitCode !== 0 && 'error' in doc) expect(doc.error, what).toMatchObject({ code: expect.any(String) });
  return doc;
}

const commands = leaves(COMMANDS);

describe('the --json contract', () => {
  it('walks the whole command tree', () => {
    const names = commands.map((c) => c.path.join(' '));
    expect(names).toEqual(expect.arrayContaining(['bootstrap', 'doctor', 'env', 'artifact ls', 'completion']));
    expect(names.length).toBeGreaterThan(30);
    expect(GLOBAL_FLAGS.json?.type).toBe('boolean');
  });

  it.each(commands.map((c) => [c.path.join(' '), c] as const))(
    '`devkit %s --json` prints ok and schemaVersion first, ok matching the exit code',
    async (name, leaf) => {
      const repo = smallRepo();
      const run = await runDevkit(argvFor(leaf), { cwd: repo, env: ENV, timeoutMs: 120_000 });
      expectContract(run.stdout, run.exitCode, `devkit ${name} (stderr: ${run.stderr.slice(0, 400)})`);
    },
  );

  it.each(commands.map((c) => [c.path.join(' '), c] as const))(
    '`devkit %s --cwd <missing folder>` is exit 2 with the error document',
    async (name, leaf) => {
      const cwd = tempDir();
      const missing = join(cwd, 'no-such-repo');
      const run = await runDevkit(argvFor(leaf, ['--cwd', missing]), { cwd, env: ENV });
      expect(run.exitCode, `devkit ${name}: ${run.stderr}`).toBe(2);
      const doc = expectContract(run.stdout, run.exitCode, `devkit ${name}`);
      expect(doc.error).toMatchObject({ code: 'E_CWD_MISSING', exitCode: 2 });
      expect((doc.error as { message: string }).message).toContain(missing);
    },
  );

  it('stamps --version, --help and usage errors too', async () => {
    const dir = tempDir();
    for (const argv of [
      ['--help', '--json'],
      ['help', 'artifact', 'push', '--json'],
      ['doctor', '--help', '--json'],
    ]) {
      const help = await runDevkit(argv, { cwd: dir });
      expect(expectContract(help.stdout, help.exitCode, `devkit ${argv.join(' ')}`)).toMatchObject({
        ok: true,
        help: expect.stringContaining('Exit codes'),
      });
    }
    const version = await runDevkit(['--version', '--json'], { cwd: dir });
    expect(expectContract(version.stdout, version.exitCode, 'devkit --version --json')).toMatchObject({
      ok: true,
      version: expect.any(String),
    });
    const usage = await runDevkit(['bootstrap', '--json', '--dry-rn'], { cwd: dir });
    expect(usage.exitCode).toBe(2);
    expect(expectContract(usage.stdout, usage.exitCode, 'a usage error')).toMatchObject({
      ok: false,
      error: { code: 'E_UNKNOWN_FLAG' },
    });
  });
});
