import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import type { ToolCommand } from '@devkit/test-utils';

/**
 * A small real pnpm workspace for the lockfile tests, and pnpm run the way the oracle needs it:
 * isolated from the machine's user config (its own HOME, no npm_config_* variables), one shared
 * store, offline once the store is primed.
 */

/** The base workspace: every kind of dependency and most lockfile settings pnpm records. */
export const BASE_FILES: Record<string, string | object> = {
  'package.json': { name: 'oracle-root', private: true, devDependencies: { 'is-positive': '3.1.0' } },
  'pnpm-workspace.yaml': [
    'packages:',
    '  - apps/*',
    '  - packages/*',
    'catalog:',
    '  ms: ^2.1.3',
    'catalogs:',
    '  legacy:',
    '    left-pad: 1.3.0',
    'overrides:',
    '  is-odd>is-number: 6.0.0',
    '  is-positive: 3.1.0',
    'patchedDependencies:',
    '  is-positive@3.1.0: patches/is-positive@3.1.0.patch',
    'packageExtensions:',
    '  debug:',
    '    peerDependenciesMeta:',
    '      supports-color:',
    '        optional: true',
    '',
  ].join('\n'),
  'patches/is-positive@3.1.0.patch': [
    'diff --git a/index.js b/index.js',
    'index 1111111..2222222 100644',
    '--- a/index.js',
    '+++ b/index.js',
    '@@ -1,2 +1,3 @@',
    " 'use strict';",
    '+// patched by the oracle workspace',
    ' module.exports = function (n) {',
    '',
  ].join('\n'),
  'apps/api/package.json': {
    name: '@oracle/api',
    version: '1.0.0',
    dependencies: { debug: '^4.3.4', '@oracle/shared': 'workspace:*', ms: 'catalog:' },
    devDependencies: { 'is-number': '^7.0.0' },
    optionalDependencies: { 'is-odd': '^3.0.1' },
    peerDependencies: { react: '^18.0.0' },
  },
  'apps/web/package.json': {
    name: '@oracle/web',
    version: '1.0.0',
    dependencies: {
      react: '18.3.1',
      'use-sync-external-store': '1.2.0',
      'left-pad': 'catalog:legacy',
      '@oracle/shared': 'workspace:^1.0.0',
    },
    dependenciesMeta: { '@oracle/shared': { injected: true } },
    publishConfig: { directory: 'dist' },
  },
  'packages/shared/package.json': { name: '@oracle/shared', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
};

export function writeTree(root: string, files: Record<string, string | object>): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** Copies a workspace without its node_modules. */
export function copyWorkspace(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => !/[\\/]node_modules([\\/]|$)/.test(src.slice(from.length)) });
}

/** A manifest as the corpus edits it: any shape, since mutations reach into arbitrary fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test mutations edit arbitrary JSON
export type LooseJson = Record<string, any>;

export function readJson(root: string, path: string): LooseJson {
  return JSON.parse(readFileSync(join(root, path), 'utf8')) as LooseJson;
}

export function editJson(root: string, path: string, edit: (json: LooseJson) => void): void {
  const json = readJson(root, path);
  edit(json);
  writeFileSync(join(root, path), `${JSON.stringify(json, null, 2)}\n`);
}

export function editText(root: string, path: string, edit: (text: string) => string): void {
  const file = join(root, path);
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${path} changed nothing`);
  writeFileSync(file, after);
}

/** The environment pnpm runs in: no user config, no npm_config_* from the test runner. */
export function isolatedEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm|pnpm)_/i.test(key) || key === 'PNPM_HOME' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
  };
}

export interface PnpmResult {
  exitCode: number;
  /** pnpm's error code (ERR_PNPM_…), when it printed one. */
  error: string | undefined;
  output: string;
}

/** How the oracle runs one pnpm: the exact version, its store and its own HOME. */
export interface PnpmOptions {
  cwd: string;
  home: string;
  store: string;
  /** The pnpm to run (see provisionPnpm); pnpm on PATH when absent. */
  command?: ToolCommand;
}

/** Runs pnpm with the shared store and the isolated environment. */
export function pnpm(args: readonly string[], options: PnpmOptions): Promise<PnpmResult> {
  const env = isolatedEnv(options.home);
  const command = options.command ?? { file: 'pnpm', args: [], version: '' };
  if (command.pathPrepend) env.PATH = `${command.pathPrepend}:${env.PATH ?? ''}`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      command.file,
      [
        ...command.args,
        ...args,
        '--store-dir',
        options.store,
        '--config.confirmModulesPurge=false',
        // the notice of a newer pnpm is noise here, and a registry request
        '--config.update-notifier=false',
      ],
      { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString('utf8');
      resolve({ exitCode: code ?? -1, error: /ERR_PNPM_[A-Z_]+/.exec(output)?.[0], output });
    });
  });
}

/** Runs async jobs with at most `limit` at a time, keeping their order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await job(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A limit on how many jobs run at once, shared by callers that start jobs independently (the
 * oracle's majors run side by side and share the machine's cores).
 */
export function createLimiter(limit: number): <R>(job: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <R>(job: () => Promise<R>): Promise<R> => {
    // a finishing job hands its slot straight to the next waiter, so `running` never overshoots
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
