import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { usageError } from '@devkit/core';
import { lockfileImporterPaths } from '@devkit/lockfile/importers';

/** The part of a turbo.json devkit reads: task definitions and a package configuration's `extends`. */
export interface TurboJson {
  extends?: string[];
  tasks?: Record<string, TurboTask>;
  /** turbo 1's name for `tasks`. */
  pipeline?: Record<string, TurboTask>;
  [key: string]: unknown;
}

export interface TurboTask {
  dependsOn?: string[];
  outputs?: string[];
  /** Package configurations only: `false` leaves the inherited definition out. */
  extends?: boolean;
  [key: string]: unknown;
}

/** Where a package's build outputs come from and which files they name. */
export interface BuildOutputs {
  /** The `outputs` list as turbo resolves it for `<package>#build` (inherited, replaced or extended). */
  outputs: string[];
  /** The same globs relative to the package folder (`$TURBO_ROOT$/…` rewritten), for matching. */
  globs: string[];
  /** Where the list was declared, for messages: `apps/web/turbo.json tasks.build.outputs`. */
  source: string;
  /** True when the repo has no turbo.json and devkit's default pipeline supplies the task. */
  inferred: boolean;
  /** False when no build task applies to the package (a package configuration left it out). */
  hasTask: boolean;
}

/**
 * What `devkit build` runs when the repo has no turbo.json: `build` after the builds of the
 * package's dependencies, caching the folders the common tools write (tsc/tsup/vite's dist,
 * CRA/webpack's build, Next.js without its cache). Packages without a `build` script have no
 * task and are skipped by turbo.
 */
export const DEFAULT_BUILD_OUTPUTS: readonly string[] = ['dist/**', 'build/**', '.next/**', '!.next/cache/**'];

/**
 * devkit's default pipeline, written to `.devkit/turbo.json` and handed to turbo with
 * --root-turbo-json: nothing is written into the user's tree. A deployable whose package.json
 * declares `files` also caches those (what it ships), in a `<package>#build` of its own.
 */
export function defaultTurboJson(
  deployables: ReadonlyArray<{ packageName: string; files?: string[] | undefined }>,
): TurboJson {
  const tasks: Record<string, TurboTask> = {
    build: { dependsOn: ['^build'], outputs: [...DEFAULT_BUILD_OUTPUTS] },
  };
  for (const d of [...deployables].sort((a, b) => (a.packageName < b.packageName ? -1 : 1)))
    if (d.files?.length) tasks[`${d.packageName}#build`] = { dependsOn: ['^build'], outputs: defaultOutputs(d.files) };
  return { $schema: 'https://turborepo.dev/schema.json', tasks };
}

function defaultOutputs(files: readonly string[] | undefined): string[] {
  return [...new Set([...DEFAULT_BUILD_OUTPUTS, ...(files ?? [])])];
}

/**
 * The repo's root turbo configuration, as turbo 2 finds it: `turbo.json` or `turbo.jsonc`
 * (both at once is an error turbo makes too); null when there is neither.
 */
export async function findTurboJson(dir: string): Promise<string | null> {
  const found: string[] = [];
  for (const name of ['turbo.json', 'turbo.jsonc'])
    if ((await stat(join(dir, name)).catch(() => null))?.isFile()) found.push(name);
  if (found.length > 1) {
    throw usageError('E_TURBO_JSON', `${join(dir, 'turbo.json')} and ${join(dir, 'turbo.jsonc')} both exist`, {
      hint: 'keep one of them (turbo refuses to choose): `git rm turbo.jsonc` or `git rm turbo.json`',
    });
  }
  return found[0] ?? null;
}

/**
 * Reads a turbo.json as turbo does: JSON with comments and trailing commas. A syntax error
 * names the file, line and column; a task or `outputs` of the wrong shape names its key.
 */
export async function readTurboJson(file: string): Promise<TurboJson> {
  const text = await readFile(file, 'utf8');
  const errors: ParseError[] = [];
  const data = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  const first = errors[0];
  if (first) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw usageError(
      'E_TURBO_JSON',
      `${file}:${line}:${column}: ${describeParseError(printParseErrorCode(first.error))} (turbo.json is JSON with comments: // and /* */ comments and trailing commas are fine)`,
      { hint: `fix ${file} at line ${line}, then run \`devkit build\` again` },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw shapeError(file, '(top level)', 'an object', data);
  const json = data as TurboJson;
  for (const key of ['tasks', 'pipeline'] as const) {
    const tasks = json[key];
    if (tasks === undefined) continue;
    if (typeof tasks !== 'object' || tasks === null || Array.isArray(tasks))
      throw shapeError(file, key, 'an object of tasks', tasks);
    for (const [name, task] of Object.entries(tasks)) {
      if (typeof task !== 'object' || task === null || Array.isArray(task))
        throw shapeError(file, `${key}["${name}"]`, 'an object', task);
      const outputs = (task as TurboTask).outputs;
      if (outputs !== undefined && (!Array.isArray(outputs) || outputs.some((o) => typeof o !== 'string')))
        throw shapeError(file, `${key}["${name}"].outputs`, 'an array of glob strings', outputs);
    }
  }
  if (json.extends !== undefined && (!Array.isArray(json.extends) || json.extends.some((e) => typeof e !== 'string')))
    throw shapeError(file, 'extends', 'an array of package names starting with "//"', json.extends);
  return json;
}

function shapeError(file: string, key: string, expected: string, found: unknown) {
  return usageError(
    'E_TURBO_JSON',
    `${file}: ${key} must be ${expected}, found ${JSON.stringify(found) ?? 'nothing'}`,
    {
      hint: `correct ${key} in ${file} (https://turborepo.dev/docs/reference/configuration)`,
    },
  );
}

function describeParseError(code: string): string {
  // jsonc-parser's codes (`PropertyNameExpected`) read as words.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** One turbo.json already read, by repo-relative path; null for a file that does not exist. */
type TurboJsonCache = Map<string, Promise<TurboJson | null>>;

export interface ResolveOutputsOptions {
  /** The default pipeline's inputs when the repo has no turbo.json: the package's own `files`. */
  files?: readonly string[] | undefined;
  /** Workspace package names → their folders, for package configurations that extend another package. */
  packageDirs?: (() => Promise<Map<string, string>>) | undefined;
  cache?: TurboJsonCache | undefined;
}

/**
 * The outputs turbo caches for `<packageName>#build` in `memberDir`, resolved as turbo does:
 * the root task `<package>#build` if the root config has one, else `build`; then each package
 * configuration the package's own turbo.json `extends` (after "//"), then that turbo.json
 * itself — an `outputs` list replaces the inherited one unless it starts with
 * `$TURBO_EXTENDS$`, a task with `"extends": false` starts afresh (or, alone, removes the task).
 * `$TURBO_ROOT$/…` globs are made package-relative. Without a root turbo.json, devkit's default
 * pipeline is the root config.
 */
export async function resolveBuildOutputs(
  root: string,
  memberDir: string,
  packageName: string,
  options: ResolveOutputsOptions = {},
): Promise<BuildOutputs> {
  const cache: TurboJsonCache = options.cache ?? new Map();
  const load = (rel: string): Promise<TurboJson | null> => {
    let entry = cache.get(rel);
    if (!entry) {
      entry = readTurboJson(join(root, rel)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      });
      cache.set(rel, entry);
    }
    return entry;
  };
  const rootName = await findTurboJson(root);
  const inferred = rootName === null;
  const rootConfig = rootName ? await load(rootName) : null;
  const rootTasks = inferred
    ? { build: { dependsOn: ['^build'], outputs: defaultOutputs(options.files) } }
    : (rootConfig?.tasks ?? rootConfig?.pipeline ?? {});
  const rootLabel = inferred ? "devkit's default pipeline (no turbo.json)" : rootName!;
  const specific = `${packageName}#build`;
  const rootKey = packageName && rootTasks[specific] ? specific : 'build';
  const rootTask: TurboTask | undefined = rootTasks[rootKey];
  let state: { outputs: string[]; source: string; hasTask: boolean } = rootTask
    ? {
        outputs: rootTask.outputs ?? [],
        source: `${rootLabel} ${rootConfig && !rootConfig.tasks && rootConfig.pipeline ? 'pipeline' : 'tasks'}["${rootKey}"].outputs`,
        hasTask: true,
      }
    : { outputs: [], source: `${rootLabel} (no build task)`, hasTask: false };

  const apply = (task: TurboTask | undefined, label: string) => {
    if (!task) return;
    const { extends: inherit, outputs, ...rest } = task;
    if (inherit === false) {
      const fresh = outputs !== undefined || Object.keys(rest).length > 0;
      state = fresh
        ? { outputs: outputs ?? [], source: `${label}.outputs`, hasTask: true }
        : { outputs: [], source: `${label} ("extends": false)`, hasTask: false };
      return;
    }
    if (outputs === undefined) {
      state = { ...state, hasTask: true };
      return;
    }
    state =
      outputs[0] === '$TURBO_EXTENDS$'
        ? {
            outputs: [...state.outputs, ...outputs.slice(1)],
            source: `${state.source} + ${label}.outputs`,
            hasTask: true,
          }
        : { outputs, source: `${label}.outputs`, hasTask: true };
  };

  let dirs: Promise<Map<string, string>> | undefined;
  const packageDirs = () => (dirs ??= options.packageDirs?.() ?? workspacePackageDirs(root));
  const visited = new Set<string>();
  const applyPackageConfig = async (dir: string): Promise<void> => {
    if (dir === '.' || visited.has(dir)) return;
    visited.add(dir);
    const name = await findTurboJson(join(root, dir));
    if (!name) return;
    const rel = posix.join(dir, name);
    const config = await load(rel);
    if (!config) return;
    for (const other of (config.extends ?? []).slice(1)) {
      const otherDir = (await packageDirs()).get(other);
      if (otherDir) await applyPackageConfig(otherDir);
    }
    apply((config.tasks ?? config.pipeline)?.build, `${rel} ${config.tasks ? 'tasks' : 'pipeline'}["build"]`);
  };
  await applyPackageConfig(memberDir);

  return {
    outputs: state.outputs,
    globs: state.outputs.map((o) => packageRelative(o, memberDir)),
    source: state.source,
    inferred,
    hasTask: state.hasTask,
  };
}

/** `$TURBO_ROOT$/x` (negated or not) relative to the package; other globs as they are. */
function packageRelative(glob: string, memberDir: string): string {
  const negated = glob.startsWith('!');
  const body = negated ? glob.slice(1) : glob;
  if (!body.startsWith('$TURBO_ROOT$/')) return glob;
  const fromRoot = body.slice('$TURBO_ROOT$/'.length);
  const rel = memberDir === '.' ? fromRoot : posix.relative(memberDir, fromRoot) || '**';
  return `${negated ? '!' : ''}${rel}`;
}

/** Workspace package names → folders, from pnpm-lock.yaml's importers and their package.json names. */
async function workspacePackageDirs(root: string): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  const lockfile = await readFile(join(root, 'pnpm-lock.yaml'), 'utf8').catch(() => '');
  for (const dir of lockfileImporterPaths(lockfile)) {
    try {
      const { name } = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof name === 'string') dirs.set(name, dir);
    } catch {
      // an importer without a readable package.json is not a package turbo knows either
    }
  }
  return dirs;
}
