import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export { waitFor, type WaitForOptions } from './wait-for.js';
export { packDevkit, DEVKIT_PACKAGE_DIR } from './pack.js';
export {
  ORACLE_NODE_VERSION,
  pnpmMajor,
  provisionNode,
  provisionPnpm,
  provisionTool,
  type ToolCommand,
} from './toolchains.js';

/** The devkit repo's root folder. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The built CLI the end-to-end tests run, as a user would. */
export const DEVKIT_BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');

const made: string[] = [];

/** A fresh temp folder (real path, so macOS /private and symlinks never confuse comparisons). */
export function tempDir(prefix = 'devkit-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** Removes every temp folder made by this worker (call from afterAll); DEVKIT_TEST_KEEP=1 keeps them to read service logs after a failure. */
export function cleanupTempDirs(): void {
  if (process.env.DEVKIT_TEST_KEEP) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes files (path → content; objects become JSON) under `root`. */
export function writeFiles(root: string, files: Record<string, string | object>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** `git init` with a committer identity, so commits work on any machine. */
export function gitInit(dir: string): void {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@devkit.invalid');
  git('config', 'user.name', 'devkit test');
  git('config', 'commit.gpgsign', 'false');
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
}

/** Copies a fixture repo from test/fixtures into a temp folder. */
export function copyFixture(name: string): string {
  const dir = tempDir(`devkit-${name}-`);
  cpSync(join(FIXTURES, name), dir, {
    recursive: true,
    filter: (src) => !src.includes(`${'/'}node_modules`) && !src.endsWith('/.devkit'),
  });
  return dir;
}

export interface DevkitRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Strips ANSI escapes, temp paths and durations so output can be compared. */
export function normalizeOutput(text: string, dirs: readonly string[] = []): string {
  let out = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  for (const dir of dirs) out = out.split(dir).join('<dir>');
  return out.replace(/\(\d+(\.\d+)? m?s\)/g, '(<time>)');
}

/** Runs the built `devkit` binary. Never throws on a non-zero exit: tests assert the code. */
export async function runDevkit(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<DevkitRun> {
  const result = await execa(process.execPath, [DEVKIT_BIN, ...args], {
    cwd: options.cwd,
    // Hermetic against the job the tests run in: GitHub's variables only when a test sets them,
    // and no FORCE_COLOR from the caller's shell (it would win over NO_COLOR, as in Node).
    env: {
      NO_COLOR: '1',
      FORCE_COLOR: undefined,
      GITHUB_ACTIONS: undefined,
      GITHUB_STEP_SUMMARY: undefined,
      ...options.env,
    },
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * Declares that a test needs something from the machine. A missing prerequisite throws, in CI
 * and out of it: a test that cannot run fails loudly, it never skips itself.
 */
export function requirePrerequisite(name: string, present: boolean, howToGet: string): void {
  if (!present) throw new Error(`prerequisite missing: ${name}. ${howToGet}`);
}

/** Whether a program is on PATH. */
export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
