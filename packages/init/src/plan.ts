import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { CONFIG_FILE, SCHEMA_REF, type DevkitConfig } from '@devkit/config';
import { InternalError, isDevkitError, usageError } from '@devkit/core';
import { planAllowBuilds } from './build-scripts.js';
import { inferServices, type ComposeInference } from './compose.js';
import { inferDeployables } from './deployables.js';
import { mergeDevkitJson, renderDevkitJson, setJsonValue } from './devkit-json.js';
import { missingIgnores, planGitignore } from './gitignore.js';
import { inferHooks, runsLintStaged, type HookInference } from './hook-sources.js';
import { HOOKS_INSTALL, planPrepare } from './prepare-script.js';
import { inferToolchain } from './toolchain.js';
import { unifiedDiff } from './unified-diff.js';
import { WORKFLOW_FILE, renderWorkflow, type WorkflowInput } from './workflow.js';

export type InitAction = 'created' | 'updated' | 'unchanged' | 'skipped';

/** One file devkit init writes, or would. */
export interface InitFile {
  /** Relative to the repo root. */
  path: string;
  action: InitAction;
  /** Why it is skipped, or what changed in it. */
  reason?: string | undefined;
  /** The text it has now (undefined: it does not exist). */
  before: string | undefined;
  /** The text it gets (equal to `before` when unchanged or skipped). */
  after: string;
  /** The existing file's mode, kept on rewrite. */
  mode?: number | undefined;
}

/** Everything devkit init would do, computed without writing. */
export interface InitPlan {
  root: string;
  files: InitFile[];
  /** What was carried over, what was not and why, what to remove by hand: one sentence each. */
  notes: string[];
  /** The config devkit init inferred (before any merge with an existing devkit.json). */
  inferred: DevkitConfig;
}

export interface PlanInitOptions {
  /** The repo root (where package.json is). */
  root: string;
  /** Replace devkit.json and the workflow instead of merging into or keeping them. */
  force: boolean;
  /**
   * The repo's lint-staged config files, found by @devkit/hooks' locator (the hook's own rules,
   * nested per-package configs included); empty when there is none.
   */
  lintStagedFiles: readonly string[];
  /** Validates a devkit.json text (throws a DevkitError naming the key); default: devkit's own schema. */
  validate?: ((text: string, file: string) => unknown) | undefined;
  /**
   * The version of the pnpm on PATH when nothing pins one: the workflow installs its major, so CI
   * judges the lockfile by the rules of the pnpm that wrote it (never whatever `latest` is then).
   */
  pnpmOnPath?: string | undefined;
}

async function readText(path: string): Promise<{ text: string; mode: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, mode: info.mode & 0o777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function file(
  path: string,
  before: { text: string; mode: number } | undefined,
  after: string,
  reason?: string,
): InitFile {
  const action: InitAction = before === undefined ? 'created' : before.text === after ? 'unchanged' : 'updated';
  return {
    path,
    action,
    before: before?.text,
    after,
    mode: before?.mode,
    ...(action === 'updated' && reason ? { reason } : {}),
  };
}

function skipped(path: string, before: { text: string; mode: number }, reason: string): InitFile {
  return { path, action: 'skipped', reason, before: before.text, after: before.text, mode: before.mode };
}

function composeNotes(compose: ComposeInference): string[] {
  const notes: string[] = [];
  for (const m of compose.migrated) {
    const extra = m.ports.length
      ? `; compose publishes ${m.ports.join(', ')}, devkit picks its own port per checkout (\`devkit env\` prints the URLs)`
      : '';
    notes.push(`${compose.file} services.${m.from} (${m.image}) → devkit.json services.${m.kind} ${m.version}${extra}`);
  }
  for (const s of compose.notMigrated)
    notes.push(`${compose.file} services.${s.from}${s.image ? ` (${s.image})` : ''} not migrated: ${s.reason}`);
  notes.push(...compose.notes);
  return notes;
}

function hookNotes(hooks: HookInference): string[] {
  const notes: string[] = [];
  for (const source of hooks.sources) notes.push(`hooks: found ${source.tool} (${source.file})`);
  if (hooks.hooks) {
    const list = Object.entries(hooks.hooks)
      .map(
        ([hook, entries]) => `${hook}: ${entries.map((e) => (typeof e === 'string' ? e : `\`${e.run}\``)).join(', ')}`,
      )
      .join('; ');
    notes.push(`hooks → devkit.json hooks (${list})`);
  }
  for (const c of hooks.migrated) {
    const as = runsLintStaged(c.run) ? `"lint-staged"` : 'as a command entry';
    notes.push(
      c.tool === 'husky'
        ? `${c.where}: \`${c.run}\` → devkit.json hooks.${c.hook} ${as}; delete it from ${c.where} once devkit hooks install has added devkit's call there (until then it runs twice per commit)`
        : `${c.where}: \`${c.run}\` → devkit.json hooks.${c.hook} ${as}`,
    );
  }
  for (const c of hooks.unmigrated) {
    const stays =
      c.tool === 'husky'
        ? `it keeps running from ${c.where} (devkit hooks install adds devkit's call to that file and keeps its lines)`
        : `it keeps running from .husky/${c.hook}, which devkit init writes (once devkit hooks install sets core.hooksPath, git no longer runs the hooks ${c.tool} put in .git/hooks)`;
    notes.push(`${c.where}: \`${c.run}\` not migrated; ${stays}`);
  }
  notes.push(...hooks.notes);
  for (const removal of hooks.removal) notes.push(`to remove ${removal}`);
  return notes;
}

/** How CI's setup-node finds the version: the file the repo pins it in, else 24 (devkit's own). */
async function workflowNode(
  root: string,
  manifest: Record<string, unknown> | undefined,
): Promise<WorkflowInput['node']> {
  for (const name of ['.node-version', '.nvmrc']) if (await readText(join(root, name))) return { file: name };
  const tools = await readText(join(root, '.tool-versions'));
  if (tools && /^\s*nodejs\s+\d/m.test(tools.text)) return { file: '.tool-versions' };
  const engines = manifest?.engines as Record<string, unknown> | undefined;
  const volta = manifest?.volta as Record<string, unknown> | undefined;
  if (typeof engines?.node === 'string' || typeof volta?.node === 'string') return { file: 'package.json' };
  return { version: '24' };
}

/**
 * `pnpm@10.34.9` from packageManager, else the range devkit.json or engines give, else the major
 * of the pnpm on PATH (the one that wrote the lockfile, as far as init can tell), else pnpm 10.
 */
function workflowPnpm(
  manifest: Record<string, unknown> | undefined,
  toolchainPnpm: string | undefined,
  pnpmOnPath: string | undefined,
): { spec: string; note?: string } {
  const pm = typeof manifest?.packageManager === 'string' ? manifest.packageManager : '';
  const exact = /^pnpm@([^+\s]+)/.exec(pm)?.[1];
  if (exact) return { spec: `pnpm@${exact}` };
  const range = toolchainPnpm ?? (manifest?.engines as Record<string, unknown> | undefined)?.pnpm;
  if (typeof range === 'string' && /^[\d.x*^~]+$/.test(range.trim())) return { spec: `pnpm@${range.trim()}` };
  const major = /^(\d+)\./.exec(pnpmOnPath ?? '')?.[1];
  const spec = `pnpm@${major ?? '10'}`;
  const from = major ? `the major of the pnpm on PATH (${pnpmOnPath})` : 'pnpm 10 (no pnpm on PATH to go by)';
  return {
    spec,
    note: `pnpm is not pinned: the CI workflow installs ${spec}, ${from}; pin it for every machine with \`pnpm pkg set packageManager=pnpm@$(pnpm --version)\``,
  };
}

/** An existing devkit.json as far as it reads (comments allowed), for what init takes from it. */
function readExisting(text: string | undefined): DevkitConfig | undefined {
  if (text === undefined) return undefined;
  const value: unknown = parse(text, [], { allowTrailingComma: true });
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as DevkitConfig) : undefined;
}

/** The first registry an environment of devkit.json names. */
function configuredRegistry(existing: DevkitConfig | undefined): string | undefined {
  const envs = existing?.environments;
  if (!envs || typeof envs !== 'object') return undefined;
  return Object.values(envs).find((e) => typeof e?.registry === 'string' && e.registry)?.registry;
}

/**
 * Pure of writes: reads the repo (compose file, hook tools, workspace packages, pins,
 * .gitignore, package.json, an existing devkit.json and workflow) and returns every file
 * devkit init would write, with its current and new text, and the notes to show.
 */
export async function planInit(options: PlanInitOptions): Promise<InitPlan> {
  const { root, force } = options;
  const manifestFile = await readText(join(root, 'package.json'));
  if (!manifestFile) {
    throw usageError(
      'E_INIT_NO_PACKAGE_JSON',
      `${root} has no package.json: devkit init adopts an existing pnpm repo`,
      {
        hint: `run it at the repo's root (devkit init --cwd <repo>), or create the repo first: pnpm init`,
      },
    );
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(manifestFile.text) as Record<string, unknown>;
  } catch (error) {
    throw usageError('E_INIT_UNREADABLE', `package.json is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the syntax of package.json, then run devkit init again',
    });
  }
  const configPath = join(root, CONFIG_FILE);
  const existingConfig = await readText(configPath);
  const existing = readExisting(existingConfig?.text);
  const existingToolchain = existing?.toolchain;

  const validate = options.validate ?? (await import('@devkit/config/schema')).parseConfig;
  const [compose, hooks, deployables, toolchain] = await Promise.all([
    inferServices(root),
    inferHooks(root, manifest, options.lintStagedFiles),
    inferDeployables(root),
    inferToolchain(root, manifest, { toolchain: force ? undefined : existingToolchain }),
  ]);

  // `$schema`: the schema the installed devkit package ships, relative to devkit.json.
  const inferred: DevkitConfig = { $schema: SCHEMA_REF };
  if (toolchain.toolchain) inferred.toolchain = toolchain.toolchain;
  if (Object.keys(compose.services).length > 0) inferred.services = compose.services;
  if (hooks.hooks) inferred.hooks = hooks.hooks;
  if (deployables.deployables.length > 0) inferred.artifacts = { deployables: deployables.deployables };

  const notes: string[] = [];
  const files: InitFile[] = [];

  // devkit.json: new, merged (only missing keys), or replaced with --force.
  const fresh = renderDevkitJson(inferred);
  const check = (text: string) => {
    try {
      validate(text, configPath);
      return undefined;
    } catch (error) {
      if (isDevkitError(error)) return error.message;
      throw error;
    }
  };
  const freshProblem = check(fresh);
  if (freshProblem) throw new InternalError(`devkit init inferred a devkit.json the schema rejects: ${freshProblem}`);
  if (!existingConfig || force) {
    files.push(file(CONFIG_FILE, existingConfig, fresh, force ? 'replaced (--force)' : undefined));
  } else {
    const merged = mergeDevkitJson(existingConfig.text, inferred);
    const problem = merged.unreadable ?? check(merged.text);
    if (problem) {
      files.push(skipped(CONFIG_FILE, existingConfig, `${problem}; fix it, or replace it with devkit init --force`));
    } else {
      files.push(
        file(
          CONFIG_FILE,
          existingConfig,
          merged.text,
          merged.added.length ? `added ${merged.added.join(', ')}` : undefined,
        ),
      );
      if (merged.kept.length)
        notes.push(
          `devkit.json: kept the value it has for ${merged.kept.join(', ')} (devkit init --force replaces the file with what it infers)`,
        );
    }
  }

  for (const kept of hooks.keep) {
    const path = `.husky/${kept.hook}`;
    const current = await readText(join(root, path));
    const lines = kept.body.split('\n').filter((l) => l && !l.startsWith('#'));
    if (current === undefined) files.push({ ...file(path, undefined, kept.body), mode: 0o755 });
    else if (lines.every((l) => current.text.includes(l))) files.push(file(path, current, current.text));
    else
      files.push(
        skipped(path, current, `it exists; add what ${kept.tool} ran for ${kept.hook} by hand: ${lines.join('; ')}`),
      );
  }

  const gitignore = await readText(join(root, '.gitignore'));
  files.push(
    file(
      '.gitignore',
      gitignore,
      planGitignore(gitignore?.text),
      `added ${missingIgnores(gitignore?.text).join(', ')}`,
    ),
  );

  const scripts = (manifest.scripts ?? {}) as Record<string, unknown>;
  const prepare = planPrepare(typeof scripts.prepare === 'string' ? scripts.prepare : undefined);
  if (prepare.script === undefined) {
    files.push(file('package.json', manifestFile, manifestFile.text));
  } else {
    const text = setJsonValue(manifestFile.text, ['scripts', 'prepare'], prepare.script);
    files.push(file('package.json', manifestFile, text, `scripts.prepare: ${JSON.stringify(prepare.script)}`));
  }
  notes.push(...prepare.notes);
  const workspace = await readText(join(root, 'pnpm-workspace.yaml'));
  const allowBuilds = workspace && planAllowBuilds(workspace.text);
  if (workspace && allowBuilds?.decided.length) {
    const list = allowBuilds.decided.join(', ');
    files.push(file('pnpm-workspace.yaml', workspace, allowBuilds.text, `allowBuilds: ${list} false`));
    notes.push(
      `pnpm-workspace.yaml allowBuilds: ${list} set to false: pnpm left them undecided, which fails every pnpm install; devkit needs none of their install scripts`,
    );
  }
  const deps = { ...(manifest.dependencies as object), ...(manifest.devDependencies as object) } as Record<
    string,
    unknown
  >;
  if (!('devkit' in deps))
    notes.push(
      `devkit is not a dependency of this repo yet: pnpm add -D devkit (the prepare script's \`${HOOKS_INSTALL}\` and CI run it)`,
    );

  const workflow = await readText(join(root, WORKFLOW_FILE));
  const ciPnpm = workflowPnpm(manifest, inferred.toolchain?.pnpm ?? existingToolchain?.pnpm, options.pnpmOnPath);
  if (ciPnpm.note) notes.push(ciPnpm.note);
  const registry = configuredRegistry(existing);
  const text = renderWorkflow({
    node: await workflowNode(root, manifest),
    pnpm: ciPnpm.spec,
    artifacts: deployables.deployables.map((d) => d.split('/').pop()!.toLowerCase()),
    registry,
  });
  if (workflow && workflow.text !== text && !force) {
    files.push(
      skipped(
        WORKFLOW_FILE,
        workflow,
        'it exists and differs from what devkit init writes; devkit init --force replaces it',
      ),
    );
  } else {
    files.push(file(WORKFLOW_FILE, workflow, text, force ? 'replaced (--force)' : undefined));
  }
  if (deployables.deployables.length > 0 && !registry)
    notes.push(
      `${WORKFLOW_FILE}: the push step is commented out: no registry is configured (devkit.json environments.<env>.registry)`,
    );

  for (const d of deployables.deployables)
    notes.push(`${d} (${deployables.reasons[d]}) → devkit.json artifacts.deployables`);
  notes.push(...deployables.notes, ...composeNotes(compose), ...hookNotes(hooks), ...toolchain.notes);
  return { root, files, notes, inferred };
}

/** The unified diff of every file the plan writes or changes (`--dry-run`). */
export function planDiff(plan: InitPlan): string {
  return plan.files
    .filter((f) => f.action === 'created' || f.action === 'updated')
    .map((f) => unifiedDiff(f.path, f.before, f.after))
    .join('');
}
