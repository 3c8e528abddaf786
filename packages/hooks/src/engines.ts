import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineError } from '@devkit/core';
import { enableCompileCache, type CompileCache } from './compile-cache.js';

/** The slice of ESLint's Node API the runner uses (the repo's own ESLint, whatever its version). */
export interface EslintMessage {
  ruleId: string | null;
  severity: 0 | 1 | 2;
  message: string;
  line?: number;
  column?: number;
  fatal?: boolean;
  fix?: unknown;
}

export interface EslintLintResult {
  messages: EslintMessage[];
  errorCount: number;
  warningCount: number;
  output?: string;
}

export interface EslintInstance {
  lintText(code: string, options: { filePath: string; warnIgnored?: boolean }): Promise<EslintLintResult[]>;
  isPathIgnored(filePath: string): Promise<boolean>;
}

interface EslintModule {
  ESLint?: new (options: Record<string, unknown>) => EslintInstance;
  loadESLint?: (options: { cwd?: string }) => Promise<new (options: Record<string, unknown>) => EslintInstance>;
}

export interface PrettierModule {
  format(source: string, options: Record<string, unknown>): Promise<string>;
  resolveConfig(file: string, options?: Record<string, unknown>): Promise<Record<string, unknown> | null>;
  getFileInfo(
    file: string,
    options?: Record<string, unknown>,
  ): Promise<{ ignored: boolean; inferredParser: string | null }>;
}

function resolveFromRepo(root: string, name: string): string | undefined {
  try {
    return createRequire(join(root, 'package.json')).resolve(name);
  } catch {
    return undefined;
  }
}

/** Whether the repo can resolve a package from its root (without loading it). */
export function repoHas(root: string, name: string): boolean {
  return resolveFromRepo(root, name) !== undefined;
}

/**
 * Loads the repo's own ESLint (its version, its config) and makes one instance per fix mode on
 * first use. Loaded lazily: a commit that stages no lintable file never pays for ESLint.
 */
export class EslintEngines {
  readonly #root: string;
  /** ESLint's constructor per resolved entry and folder (a package may have its own ESLint, or config kind). */
  readonly #ctors = new Map<string, Promise<new (options: Record<string, unknown>) => EslintInstance>>();
  readonly #instances = new Map<string, EslintInstance>();

  readonly #compileCache: boolean;
  #cache: CompileCache | undefined;

  /** `compileCache`: keep a V8 code cache of ESLint's modules (see compile-cache.ts). */
  constructor(root: string, compileCache = false) {
    this.#root = root;
    this.#compileCache = compileCache;
  }

  /** Stores the code cache if this run compiled modules it did not have. */
  async saveCache(): Promise<void> {
    await this.#cache?.save();
  }

  /**
   * The ESLint instance for one fix mode, working from `cwd` (default: the root) as `eslint`
   * started there would: the ESLint installed nearest to it, its config looked up from there.
   */
  async get(fix: boolean, cwd: string = this.#root): Promise<EslintInstance> {
    const key = `${fix}\0${cwd}`;
    const existing = this.#instances.get(key);
    if (existing) return existing;
    const entry = resolveFromRepo(cwd, 'eslint');
    if (!entry) {
      throw machineError(
        'E_ESLINT_MISSING',
        `the lint-staged config runs eslint, but eslint is not installed in ${cwd}`,
        {
          hint: 'pnpm add -D -w eslint',
        },
      );
    }
    let ctor = this.#ctors.get(`${entry}\0${cwd}`);
    if (!ctor) this.#ctors.set(`${entry}\0${cwd}`, (ctor = this.#load(entry, cwd)));
    const Ctor = await ctor;
    const instance = new Ctor({ cwd, fix });
    this.#instances.set(key, instance);
    return instance;
  }

  async #load(entry: string, cwd: string): Promise<new (options: Record<string, unknown>) => EslintInstance> {
    // The cache lives in the node_modules that holds ESLint (node_modules/.cache, as other tools
    // do), so it goes away with the dependencies it caches.
    const top = entry.indexOf(`${'/'}node_modules${'/'}`);
    if (this.#compileCache && this.#cache === undefined && top >= 0) {
      this.#cache = enableCompileCache(join(entry.slice(0, top), 'node_modules', '.cache', 'devkit'));
    }
    const mod = (await import(pathToFileURL(entry).href)) as EslintModule;
    if (mod.loadESLint) return mod.loadESLint({ cwd });
    if (mod.ESLint) return mod.ESLint;
    throw machineError(
      'E_ESLINT_UNSUPPORTED',
      `the eslint installed in ${cwd} has no Node API (ESLint class); devkit needs eslint 7 or newer`,
      { hint: 'pnpm add -D -w eslint@9' },
    );
  }
}

const ESLINT_CONFIGS = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.yaml',
  '.eslintrc.yml',
  '.eslintrc.json',
  '.eslintrc',
];

/**
 * Whether the repo uses a tool: it is installed and configured at the root, in one of its
 * config files or under its key in package.json.
 */
function repoUsesTool(root: string, tool: string, configFiles: readonly string[], manifestKey: string): boolean {
  if (!repoHas(root, tool)) return false;
  if (configFiles.some((name) => existsSync(join(root, name)))) return true;
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    return manifestKey in pkg;
  } catch {
    return false;
  }
}

/** Whether the repo uses ESLint: it is installed and configured at the root. */
export function repoUsesEslint(root: string): boolean {
  return repoUsesTool(root, 'eslint', ESLINT_CONFIGS, 'eslintConfig');
}

const PRETTIER_CONFIGS = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.json5',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.toml',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
];

/** Whether the repo uses Prettier: it is installed and configured at the root. */
export function repoUsesPrettier(root: string): boolean {
  return repoUsesTool(root, 'prettier', PRETTIER_CONFIGS, 'prettier');
}

/** Loads the repo's own Prettier on first use. */
export async function loadPrettier(root: string): Promise<PrettierModule> {
  const entry = resolveFromRepo(root, 'prettier');
  if (!entry)
    throw machineError(
      'E_PRETTIER_MISSING',
      `the lint-staged config runs prettier, but prettier is not installed in ${root}`,
      { hint: 'pnpm add -D -w prettier' },
    );
  const mod = (await import(pathToFileURL(entry).href)) as PrettierModule & { default?: PrettierModule };
  return typeof mod.format === 'function' ? mod : mod.default!;
}
