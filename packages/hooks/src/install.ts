import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  digestParts,
  findingError,
  runCommand,
  usageError,
  writeFileAtomic,
  type Problem,
  type Step,
  type StepCheck,
} from '@devkit/core';
import type { HookCheck, HookName, ProjectContext } from '@devkit/config';
import { locateGit } from './git.js';

/** Hooks installed when devkit.json names none. */
export const DEFAULT_HOOKS: Readonly<Partial<Record<HookName, readonly HookCheck[]>>> = {
  'pre-commit': ['lint-staged', 'lockfile'],
};

const MARKER = 'devkit hooks run';

export function configuredHooks(ctx: Pick<ProjectContext, 'config'>): HookName[] {
  return Object.keys(ctx.config.hooks ?? DEFAULT_HOOKS) as HookName[];
}

/** The body of `.husky/<hook>`: a one-liner husky runs with node_modules/.bin on PATH. */
export function hookBody(hook: HookName, subdir: string): string {
  const cd = subdir ? `cd ${JSON.stringify(subdir)} || exit 1\n` : '';
  // Without this line a checkout whose dependencies are not installed fails with husky's bare
  // "command not found"; say what to do instead.
  const guard = `command -v devkit >/dev/null 2>&1 || { echo "devkit is not installed in this checkout: run pnpm install (HUSKY=0 skips the hook once)" >&2; exit 1; }\n`;
  return `# Installed by devkit: checks what is being committed. CI runs the same checks (devkit lint).\n${cd}${guard}devkit hooks run ${hook} "$@"\n`;
}

export interface HooksLayout {
  top: string;
  commonDir: string;
  /** The husky folder relative to the git top (`.husky`, or `web/.husky` in a sub-folder). */
  huskyDir: string;
  /** The repo root relative to the git top ('' when they are the same). */
  subdir: string;
}

export function hooksLayout(root: string): HooksLayout | undefined {
  const git = locateGit(root);
  if (!git) return undefined;
  const subdir = relative(git.top, root).split('\\').join('/');
  return { top: git.top, commonDir: git.commonDir, huskyDir: subdir ? `${subdir}/.husky` : '.husky', subdir };
}

/** The effective core.hooksPath and the config file that sets it (local, global or system). */
async function gitHooksPathOrigin(top: string): Promise<{ value: string; origin: string; scope: string } | undefined> {
  try {
    // The node engine: git and node are real executables, and this runs on every bootstrap.
    const { stdout } = await runCommand('git', ['config', '--show-scope', '--show-origin', '--get', 'core.hooksPath'], {
      cwd: top,
      engine: 'node',
    });
    const [scope = '', origin = '', ...value] = stdout.trim().split('\t');
    if (value.length === 0) return undefined;
    return { scope, origin: origin.replace(/^file:/, ''), value: value.join('\t').trim() };
  } catch {
    return undefined; // exit 1: not set
  }
}

/** Where a foreign core.hooksPath is set, and the commands that hand the hooks to devkit. */
function hooksPathTaken(
  current: { value: string; origin: string; scope: string },
  huskyDir: string,
): { where: string; fix: string } {
  return {
    where: `set in ${current.scope} config ${current.origin}`,
    fix: `move any hooks you need from ${current.value} into ${huskyDir}/, then: git config ${current.scope === 'local' ? '' : `--file ${current.origin} `}--unset core.hooksPath && devkit hooks install`,
  };
}

/**
 * Whether a core.hooksPath value is husky's folder (this layout's or a moved one), which devkit
 * may take over: husky 9's `.husky/_`, or husky 8's `.husky` itself (`husky install` of a repo
 * that has not moved to 9), whose hook files husky 9's runner in `.husky/_` still runs.
 */
function isHuskyPath(hooksPath: string): boolean {
  return /(^|\/)\.husky(\/_)?\/?$/.test(hooksPath);
}

/** Pure-ish inspection of the installed hooks (one `git config` read). */
export async function checkHooks(ctx: Pick<ProjectContext, 'root' | 'config' | 'env'>): Promise<StepCheck> {
  const layout = hooksLayout(ctx.root);
  if (!layout) return { upToDate: true, summary: 'not a git repository: no hooks to install', problems: [] };
  const problems: Problem[] = [];
  if (ctx.env.HUSKY === '0') {
    problems.push({
      code: 'W_HOOKS_DISABLED',
      kind: 'fixable',
      message: 'git hooks are disabled by HUSKY=0 in the environment: commits are not checked locally',
      fix: 'unset HUSKY',
    });
  }
  const current = await gitHooksPathOrigin(layout.top);
  const hooksPath = current?.value;
  const wanted = `${layout.huskyDir}/_`;
  if (current && hooksPath !== undefined && hooksPath !== wanted && hooksPath.replace(/\/$/, '') !== wanted) {
    if (!isHuskyPath(hooksPath)) {
      const taken = hooksPathTaken(current, layout.huskyDir);
      problems.push({
        code: 'E_HOOKS_PATH_TAKEN',
        kind: 'blocking',
        exitCode: 1,
        message: `git's core.hooksPath is ${JSON.stringify(hooksPath)} (${taken.where}), so devkit's hooks in ${wanted} would never run`,
        fix: taken.fix,
      });
      return { upToDate: false, summary: 'hooks path points elsewhere', problems };
    }
  }
  if (hooksPath === undefined || hooksPath.replace(/\/$/, '') !== wanted) {
    problems.push({
      code: 'W_HOOKS_NOT_INSTALLED',
      kind: 'fixable',
      message: 'git hooks are not installed',
      fix: 'devkit hooks install',
    });
  }
  if (!existsSync(join(layout.top, wanted, 'h'))) {
    if (!problems.some((p) => p.code === 'W_HOOKS_NOT_INSTALLED')) {
      problems.push({
        code: 'W_HOOKS_NOT_INSTALLED',
        kind: 'fixable',
        message: `${wanted}/h is missing`,
        fix: 'devkit hooks install',
      });
    }
  }
  for (const hook of configuredHooks(ctx)) {
    const file = join(layout.top, layout.huskyDir, hook);
    const body = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (body === undefined) {
      problems.push({
        code: 'W_HOOK_MISSING',
        kind: 'fixable',
        message: `${layout.huskyDir}/${hook} is missing`,
        fix: 'devkit hooks install',
      });
    } else if (!body.includes(`${MARKER} ${hook}`)) {
      problems.push({
        code: 'W_HOOK_FOREIGN',
        kind: 'fixable',
        message: `${layout.huskyDir}/${hook} does not call \`${MARKER} ${hook}\`; devkit will add the call and keep the rest`,
        fix: 'devkit hooks install',
      });
    }
  }
  const upToDate = problems.every((p) => p.code === 'W_HOOKS_DISABLED');
  return { upToDate, summary: upToDate ? `hooks in ${wanted}` : problems.map((p) => p.message).join('; '), problems };
}

function huskyBin(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('husky'))), 'bin.js');
}

export interface InstallHooksResult {
  hooksPath: string;
  written: string[];
}

/** Installs husky and a `.husky/<hook>` file calling devkit for each configured hook. */
export async function installHooks(ctx: Pick<ProjectContext, 'root' | 'config' | 'env'>): Promise<InstallHooksResult> {
  const layout = hooksLayout(ctx.root);
  if (!layout) {
    throw usageError(
      'E_NOT_A_GIT_REPO',
      `${ctx.root} is not inside a git repository, so there is nowhere to install hooks`,
      { hint: 'git init' },
    );
  }
  // Another tool (or a person) pointed git at other hooks: taking them over would silently
  // disable whatever runs there, so say so and let the user choose.
  const current = await gitHooksPathOrigin(layout.top);
  if (current && !isHuskyPath(current.value)) {
    const taken = hooksPathTaken(current, layout.huskyDir);
    throw findingError(
      'E_HOOKS_PATH_TAKEN',
      `git's core.hooksPath is ${JSON.stringify(current.value)} (${taken.where}), so hooks in ${layout.huskyDir}/_ would never run; devkit leaves it as it is`,
      {
        hint: taken.fix,
        details: { hooksPath: current.value, origin: current.origin },
      },
    );
  }
  const written: string[] = [];
  await mkdir(join(layout.top, layout.huskyDir), { recursive: true });
  for (const hook of configuredHooks(ctx)) {
    const file = join(layout.top, layout.huskyDir, hook);
    const existing = existsSync(file) ? await readFile(file, 'utf8') : undefined;
    if (existing?.includes(`${MARKER} ${hook}`)) continue;
    // A hook someone wrote by hand keeps its lines; devkit's call is appended.
    const body =
      existing === undefined
        ? hookBody(hook, layout.subdir)
        : `${existing.replace(/\n?$/, '\n')}${hookBody(hook, layout.subdir)}`;
    await writeFileAtomic(file, body, 0o755);
    await chmod(file, 0o755);
    written.push(`${layout.huskyDir}/${hook}`);
  }
  // husky reads HUSKY=0 as "skip install"; an explicit install should not be silently skipped.
  const env = { ...ctx.env, HUSKY: undefined };
  const { stdout } = await runCommand(process.execPath, [huskyBin(), layout.huskyDir], {
    cwd: layout.top,
    env,
    engine: 'node',
    failure: { code: 'E_HOOKS_INSTALL_FAILED', exitCode: 1 },
  });
  if (stdout.trim()) {
    throw usageError('E_HOOKS_INSTALL_FAILED', `husky could not install the hooks: ${stdout.trim()}`, {
      hint: 'devkit hooks install',
    });
  }
  return { hooksPath: `${layout.huskyDir}/_`, written };
}

/** Fingerprint: git's config (where core.hooksPath lives) and every hook file, read without starting git. */
export function hooksFingerprint(ctx: Pick<ProjectContext, 'root' | 'config' | 'env'>): string {
  const layout = hooksLayout(ctx.root);
  if (!layout) return 'no-git';
  const read = (path: string) => (existsSync(path) ? readFileSync(path) : null);
  const parts: Array<[string, Buffer | string | null]> = [
    ['config', read(join(layout.commonDir, 'config'))],
    ['h', read(join(layout.top, layout.huskyDir, '_', 'h'))],
    ['HUSKY', ctx.env.HUSKY ?? null],
  ];
  for (const hook of configuredHooks(ctx)) {
    parts.push([hook, read(join(layout.top, layout.huskyDir, hook))]);
    parts.push([`_/${hook}`, read(join(layout.top, layout.huskyDir, '_', hook))]);
  }
  return digestParts(parts);
}

/** Bootstrap step: git hooks in place. */
export const hooksStep: Step<ProjectContext> = {
  id: 'hooks',
  title: 'git hooks',
  async fingerprint(ctx) {
    return hooksFingerprint(ctx);
  },
  check: checkHooks,
  async run(ctx) {
    await installHooks(ctx);
  },
};
