import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HOOK_NAMES, type HookCheck, type HookName } from '@devkit/config';
import { usageError } from '@devkit/core';

/** A tool that ran git hooks before devkit. */
export type HookTool = 'husky' | 'lefthook' | 'simple-git-hooks' | 'lint-staged';

/** One command an existing hook ran. */
export interface ExistingHookCommand {
  tool: Exclude<HookTool, 'lint-staged'>;
  /** Where it is written: `.husky/pre-commit`, `lefthook.yml pre-commit.commands.lint`. */
  where: string;
  hook: string;
  run: string;
  /** lefthook's glob(s), when it has them. */
  glob?: string | string[] | undefined;
  /**
   * lefthook's selector for this job alone, its name quoted for sh (`--command lint`,
   * `--job 'unit tests'`); undefined for an unnamed job.
   */
  selector?: string | undefined;
  /** lefthook's command or job name. */
  name?: string | undefined;
  /** Why it cannot be a devkit.json command entry (a lefthook option devkit has no equivalent of). */
  blocker?: string | undefined;
}

/** A hook file devkit init writes so that commands it cannot carry over keep running under devkit's hooks path. */
export interface KeptHookFile {
  hook: HookName;
  tool: 'lefthook' | 'simple-git-hooks';
  /** The file's text: the old tool's commands for this hook, one a line. */
  body: string;
}

export interface HookSource {
  tool: HookTool;
  /** The file that configures it, relative to the root. */
  file: string;
}

/** A command entry of a devkit.json hook: `{ "run": "pnpm test", "glob": "*.ts" }`. */
export interface HookCommandEntry {
  run: string;
  glob?: string | string[] | undefined;
  name?: string | undefined;
}

/** One entry of a hook's list in devkit.json. */
export type HookEntry = HookCheck | HookCommandEntry;

export interface HookInference {
  sources: HookSource[];
  /** devkit.json `hooks`; undefined when the repo has no hooks to carry over (devkit's defaults apply). */
  hooks: Partial<Record<HookName, HookEntry[]>> | undefined;
  /** Commands devkit.json hooks now run: a lint-staged call as the check, others as command entries. */
  migrated: ExistingHookCommand[];
  /** Commands devkit's checks do not cover: they stay where they are, or must be moved by hand. */
  unmigrated: ExistingHookCommand[];
  notes: string[];
  /** How to remove each old tool once devkit's hooks do its job. */
  removal: string[];
  /**
   * `.husky/<hook>` files that keep lefthook's or simple-git-hooks' uncovered commands running:
   * once devkit hooks install points core.hooksPath at .husky/_, git no longer runs what those
   * tools installed in .git/hooks.
   */
  keep: KeptHookFile[];
}

/** `npx lint-staged`, `pnpm exec lint-staged --concurrent false`, `yarn lint-staged` … */
const LINT_STAGED_CALL =
  /^(?:npx(?:\s+--no(?:-install)?)?(?:\s+--)?\s+|pnpm\s+(?:exec\s+|dlx\s+)?|pnpx\s+|yarn\s+(?:run\s+)?|bunx\s+|npm\s+exec\s+(?:--\s+)?|(?:\.\/)?node_modules\/\.bin\/)?lint-staged(?:\s|$)/;

/** A package-manager launcher before the call: `corepack pnpm lint-staged`, `npm exec --yes pnpm@11.7.0 lint-staged`. */
const LAUNCHER = /^(?:corepack\s+|npm\s+exec\s+(?:--yes\s+|-y\s+)?pnpm(?:@\S+)?\s+)/;

/** The other lines of a hook that only looks for a package manager to run lint-staged with. */
const LAUNCHER_SCRIPT_LINE =
  /^(?:(?:if|elif)\s+command\s+-v\s+\S+(?:\s*>\s*\/dev\/null)?(?:\s*2>&1)?\s*;\s*then|then|else|fi|echo\b.*|exit(?:\s+\d+)?)$/;

function callsLintStaged(line: string): boolean {
  return LINT_STAGED_CALL.test(line.replace(LAUNCHER, ''));
}

/**
 * Whether a hook command runs lint-staged, which devkit's `lint-staged` check replaces: one call,
 * or a script whose every branch runs lint-staged through whichever package manager it finds
 * (`if command -v pnpm …; then pnpm lint-staged; elif … npm exec pnpm@… lint-staged; else echo …;
 * exit 127; fi`), where keeping the script beside the check would run lint-staged twice.
 */
export function runsLintStaged(command: string): boolean {
  const lines = command
    .trim()
    .split('\n')
    .map((line) => line.trim());
  if (lines.length === 1) return callsLintStaged(lines[0]!);
  return lines.some(callsLintStaged) && lines.every((line) => callsLintStaged(line) || LAUNCHER_SCRIPT_LINE.test(line));
}

/** The commands of a husky hook file: no shebang, comments, husky's own sourcing line or devkit's call. */
export function huskyCommands(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== '' &&
        !line.startsWith('#') &&
        !/^\.\s+"?\$\(dirname\b.*husky\.sh"?$/.test(line) &&
        !/\bdevkit hooks run\b/.test(line) &&
        // devkit's own guard line, written with its call
        !/^command -v devkit\b/.test(line),
    );
}

const LEFTHOOK_FILES = [
  'lefthook.yml',
  'lefthook.yaml',
  '.lefthook.yml',
  '.lefthook.yaml',
  '.config/lefthook.yml',
  '.config/lefthook.yaml',
  'lefthook.json',
  '.lefthook.json',
  'lefthook.jsonc',
  '.lefthook.jsonc',
  'lefthook.toml',
  '.lefthook.toml',
] as const;

const SIMPLE_GIT_HOOKS_FILES = [
  '.simple-git-hooks.cjs',
  '.simple-git-hooks.js',
  '.simple-git-hooks.mjs',
  '.simple-git-hooks.json',
  'simple-git-hooks.cjs',
  'simple-git-hooks.js',
  'simple-git-hooks.mjs',
  'simple-git-hooks.json',
] as const;

function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

async function readJson(root: string, file: string): Promise<unknown> {
  const text = await readFile(join(root, file), 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError('E_INIT_UNREADABLE', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `fix the syntax of ${file}, then run devkit init again`,
    });
  }
}

async function husky(
  root: string,
  found: ExistingHookCommand[],
  sources: HookSource[],
  notes: string[],
): Promise<void> {
  const dir = join(root, '.husky');
  if (!existsSync(dir)) return;
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  let any = false;
  for (const name of names.sort()) {
    if (!/^[a-z-]+$/.test(name)) continue;
    const text = await readFile(join(dir, name), 'utf8');
    // A file devkit init wrote to keep another tool's commands running is not husky's.
    if (text.includes(KEPT_MARKER)) continue;
    const lines = huskyCommands(text);
    // A hook with shell structure (if/for/case, functions, continued lines) is one command, not one per line.
    const structured = lines.some((l) =>
      /\\$|^(if|then|else|elif|fi|for|while|until|do|done|case|esac)\b|[{}]$|;;$/.test(l),
    );
    const commands = structured && lines.length ? [lines.join('\n')] : lines;
    if (/_\/husky\.sh/.test(text))
      notes.push(
        `.husky/${name} sources _/husky.sh, husky 8's runner: husky 9 (which devkit installs hooks with) still runs the file but prints a deprecation warning on every commit; delete that line and the shebang above it`,
      );
    if (commands.length === 0) continue;
    any = true;
    if (!isHookName(name)) {
      notes.push(`.husky/${name}: devkit runs no ${name} hook; husky keeps running this file`);
      continue;
    }
    for (const run of commands) found.push({ tool: 'husky', where: `.husky/${name}`, hook: name, run });
  }
  if (any) sources.push({ tool: 'husky', file: '.husky/' });
}

type LefthookJob = {
  run?: unknown;
  glob?: unknown;
  name?: unknown;
  script?: unknown;
  group?: unknown;
  root?: unknown;
  files?: unknown;
  exclude?: unknown;
  skip?: unknown;
  only?: unknown;
  env?: unknown;
  stage_fixed?: unknown;
  interactive?: unknown;
};

/** Options of a lefthook hook (beside its jobs) that decide whether and on what its jobs run. */
const LEFTHOOK_HOOK_OPTIONS = ['skip', 'only', 'files', 'exclude', 'root'] as const;

/** Why a lefthook job cannot be a devkit.json command entry, or undefined when it can. */
function lefthookBlocker(job: LefthookJob, run: string): string | undefined {
  const options = (['root', 'files', 'exclude', 'skip', 'only', 'env', 'interactive'] as const).filter(
    (key) => job[key] !== undefined,
  );
  if (options.length)
    return `lefthook's ${options.join(', ')} ${options.length === 1 ? 'has' : 'have'} no devkit equivalent`;
  const template = /\{(?!staged_files\}|files\})[a-z_]+\}/.exec(run);
  if (template) return `${template[0]} is lefthook's; devkit fills in {staged_files} and {files} only`;
  if (job.stage_fixed === true) return "stage_fixed: devkit's command entries do not re-stage what they change";
  return undefined;
}

function lefthookJobs(file: string, hook: string, value: unknown, out: ExistingHookCommand[], notes: string[]): void {
  if (!value || typeof value !== 'object') return;
  const spec = value as LefthookJob & { commands?: unknown; jobs?: unknown; scripts?: unknown };
  // Options on the hook itself gate every job in it (`only: [{ ref: main }]` makes a job's `exit 1`
  // a guard of main alone): such jobs keep running through lefthook, never unconditionally.
  const hookOptions = LEFTHOOK_HOOK_OPTIONS.filter((key) => spec[key] !== undefined);
  const hookBlocker = hookOptions.length
    ? `lefthook's ${hookOptions.map((key) => `${hook}.${key}`).join(', ')} ${hookOptions.length === 1 ? 'has' : 'have'} no devkit equivalent`
    : undefined;
  const add = (where: string, job: LefthookJob, name: string | undefined, selector: string | undefined) => {
    if (typeof job.run === 'string') {
      const globs = (Array.isArray(job.glob) ? job.glob : [job.glob]).filter((g): g is string => typeof g === 'string');
      out.push({
        tool: 'lefthook',
        where,
        hook,
        run: job.run,
        glob: globs.length > 1 ? globs : globs[0],
        name,
        selector,
        blocker: hookBlocker ?? lefthookBlocker(job, job.run),
      });
    } else if (job.script !== undefined || job.group !== undefined) {
      notes.push(`${where}: lefthook scripts and groups are not carried over; move them into a hook by hand`);
    }
  };
  if (spec.commands && typeof spec.commands === 'object') {
    for (const [name, job] of Object.entries(spec.commands as Record<string, LefthookJob>))
      add(`${file} ${hook}.commands.${name}`, job ?? {}, name, `--command ${shellWord(name)}`);
  }
  if (Array.isArray(spec.jobs)) {
    spec.jobs.forEach((job: LefthookJob, index: number) => {
      const name = typeof job?.name === 'string' ? job.name : undefined;
      add(
        `${file} ${hook}.jobs[${name ?? index}]`,
        job ?? {},
        name,
        name === undefined ? undefined : `--job ${shellWord(name)}`,
      );
    });
  }
  if (spec.scripts && typeof spec.scripts === 'object')
    notes.push(
      `${file} ${hook}.scripts: lefthook scripts (.lefthook/${hook}/…) are not carried over; move them by hand`,
    );
}

async function lefthook(
  root: string,
  found: ExistingHookCommand[],
  sources: HookSource[],
  notes: string[],
): Promise<void> {
  const file = LEFTHOOK_FILES.find((f) => existsSync(join(root, f)));
  if (!file) return;
  sources.push({ tool: 'lefthook', file });
  if (file.endsWith('.toml')) {
    notes.push(`${file}: TOML lefthook configs are not read; copy its hooks into devkit.json by hand`);
    return;
  }
  const text = await readFile(join(root, file), 'utf8');
  let doc: unknown;
  try {
    if (/\.jsonc?$/.test(file)) {
      const { parse } = await import('jsonc-parser');
      doc = parse(text);
    } else {
      const { load } = await import('js-yaml');
      doc = load(text);
    }
  } catch (error) {
    throw usageError('E_INIT_UNREADABLE', `${file} cannot be read: ${(error as Error).message}`, {
      hint: `fix the syntax of ${file} (lefthook validate), then run devkit init again`,
    });
  }
  for (const [hook, value] of Object.entries((doc ?? {}) as Record<string, unknown>)) {
    if (!/^[a-z]+(-[a-z]+)+$/.test(hook)) continue; // settings (min_version, colors, …), not hooks
    const before = found.length;
    lefthookJobs(file, hook, value, found, notes);
    if (!isHookName(hook) && found.length > before) {
      notes.push(`${file} ${hook}: devkit runs no ${hook} hook; it is not carried over`);
      found.splice(before);
    }
  }
  if (LEFTHOOK_FILES.some((f) => existsSync(join(root, f.replace('lefthook.', 'lefthook-local.')))))
    notes.push('lefthook-local.yml (personal overrides) is not read');
}

async function simpleGitHooks(
  root: string,
  manifest: Record<string, unknown> | undefined,
  found: ExistingHookCommand[],
  sources: HookSource[],
  notes: string[],
): Promise<void> {
  let file: string | undefined;
  let config: unknown;
  if (manifest && 'simple-git-hooks' in manifest) {
    file = 'package.json';
    config = manifest['simple-git-hooks'];
  } else {
    file = SIMPLE_GIT_HOOKS_FILES.find((f) => existsSync(join(root, f)));
    if (!file) return;
    if (file.endsWith('.json')) config = await readJson(root, file);
    else {
      try {
        const mod = (await import(pathToFileURL(join(root, file)).href)) as { default?: unknown };
        config = mod.default ?? mod;
      } catch (error) {
        throw usageError('E_INIT_UNREADABLE', `${file} could not be loaded: ${(error as Error).message}`, {
          hint: `fix ${file}, then run devkit init again`,
        });
      }
    }
  }
  sources.push({ tool: 'simple-git-hooks', file });
  const where = file === 'package.json' ? 'package.json "simple-git-hooks"' : file;
  for (const [hook, run] of Object.entries((config ?? {}) as Record<string, unknown>)) {
    if (hook === 'preserveUnused' || typeof run !== 'string') continue;
    if (!isHookName(hook)) {
      notes.push(`${where} ${hook}: devkit runs no ${hook} hook; it is not carried over`);
      continue;
    }
    // One string may chain commands: `npx lint-staged && npm test`.
    for (const part of run.split(/\s*&&\s*/))
      found.push({ tool: 'simple-git-hooks', where: `${where} ${hook}`, hook, run: part });
  }
}

/** How to retire each tool once devkit's hooks do its job. */
const REMOVAL: Record<HookTool, (file: string) => string> = {
  husky: () =>
    'husky: devkit installs its hooks through husky\'s .husky/ folder, so keep the folder; delete the lines above devkit\'s call in .husky/pre-commit once devkit.json hooks covers them, then `pnpm remove husky` and drop "husky" from the prepare script',
  'lint-staged': (file) =>
    `lint-staged: devkit's hook reads ${file} itself, so keep the config; \`pnpm remove lint-staged\` once no hook calls it`,
  lefthook: (file) =>
    `lefthook: once devkit hooks install sets core.hooksPath, git no longer runs lefthook's hooks in .git/hooks; retire it with \`pnpm exec lefthook uninstall && pnpm remove lefthook\` and delete ${file}`,
  'simple-git-hooks': (file) =>
    `simple-git-hooks: once devkit hooks install sets core.hooksPath, git no longer runs the hooks it wrote to .git/hooks; retire it with \`pnpm exec clean-simple-git-hooks && pnpm remove simple-git-hooks\` and delete its config (${file})`,
};

/** Marks a `.husky/<hook>` file devkit init wrote, so that a second run does not read it as husky's. */
const KEPT_MARKER = 'written by devkit init';

/** Quotes one word for sh when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The `.husky/<hook>` lines that keep running what devkit.json cannot take (only devkit's checks
 * go there): lefthook's jobs through `lefthook run` with a selector each (the whole hook when a
 * job has no name), simple-git-hooks' commands as they are.
 */
export function keptHookFiles(unmigrated: readonly ExistingHookCommand[]): KeptHookFile[] {
  const files: KeptHookFile[] = [];
  for (const tool of ['lefthook', 'simple-git-hooks'] as const) {
    for (const hook of HOOK_NAMES) {
      const commands = unmigrated.filter((c) => c.tool === tool && c.hook === hook);
      if (commands.length === 0) continue;
      let lines: string[];
      if (tool === 'simple-git-hooks') lines = commands.map((c) => c.run);
      else if (commands.every((c) => c.selector)) {
        const selectors = commands.map((c) => c.selector!);
        lines = [`lefthook run ${hook} --no-auto-install ${selectors.join(' ')} "$@"`];
      } else lines = [`lefthook run ${hook} --no-auto-install "$@"`];
      const body = [
        `# ${tool}'s ${hook} commands that devkit.json hooks does not cover, kept running now that git runs`,
        `# the hooks in .husky/ (${KEPT_MARKER}). Move them or retire ${tool}, then delete these lines.`,
        ...lines,
        '',
      ].join('\n');
      files.push({ hook, tool, body });
    }
  }
  return files;
}

/**
 * Reads the repo's existing hook set-ups — husky's .husky/<hook> files, lefthook, simple-git-hooks
 * and lint-staged's configs (found by @devkit/hooks' own locator, nested per-package ones
 * included, and passed in as `lintStagedFiles`)
 * — and says what devkit.json `hooks` carries them over as: a lint-staged call becomes the
 * "lint-staged" check, any other command a command entry (one lefthook has options for that
 * devkit lacks keeps running from a `.husky/<hook>` file, see `keep`), in the order the old hook
 * ran them, and the lockfile check is added to pre-commit as devkit's default has it.
 */
export async function inferHooks(
  root: string,
  manifest: Record<string, unknown> | undefined,
  lintStagedFiles: readonly string[],
): Promise<HookInference> {
  const sources: HookSource[] = [];
  const notes: string[] = [];
  const commands: ExistingHookCommand[] = [];
  await husky(root, commands, sources, notes);
  await lefthook(root, commands, sources, notes);
  await simpleGitHooks(root, manifest, commands, sources, notes);
  const lintStaged = lintStagedFiles.length > 0;
  if (lintStaged) sources.push({ tool: 'lint-staged', file: lintStagedFiles.join(', ') });
  if (sources.length === 0)
    return { sources, hooks: undefined, migrated: [], unmigrated: [], notes, removal: [], keep: [] };

  const hooks: Partial<Record<HookName, HookEntry[]>> = {};
  const unmigrated: ExistingHookCommand[] = [];
  const migrated: ExistingHookCommand[] = [];
  const add = (hook: HookName, entry: HookEntry) => {
    const list = (hooks[hook] ??= []);
    if (!list.some((e) => JSON.stringify(e) === JSON.stringify(entry))) list.push(entry);
  };
  for (const command of commands) {
    const hook = command.hook as HookName;
    if (runsLintStaged(command.run) && hook !== 'commit-msg') {
      if (lintStaged) {
        add(hook, 'lint-staged');
        migrated.push(command);
      } else notes.push(`${command.where} runs lint-staged, but no lint-staged config was found: not carried over`);
    } else if (command.blocker) {
      unmigrated.push(command);
      notes.push(`${command.where}: not carried over: ${command.blocker}`);
    } else {
      const { name, run, glob } = command;
      add(hook, { ...(name ? { name } : {}), run, ...(glob ? { glob } : {}) });
      migrated.push(command);
    }
  }
  // lint-staged runs on what is committed: its config means the pre-commit check, whoever called it.
  if (lintStaged && !hooks['pre-commit']?.includes('lint-staged')) {
    const list = (hooks['pre-commit'] ??= []);
    list.unshift('lint-staged');
  }
  // devkit's pre-commit default has the lockfile check; carrying hooks over keeps it.
  add('pre-commit', 'lockfile');
  const removal = sources.map((s) => REMOVAL[s.tool](s.file));
  return { sources, hooks, migrated, unmigrated, notes, removal, keep: keptHookFiles(unmigrated) };
}
