import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedLockfile } from '@devkit/lockfile';
import { dependencyClosure, lockfileSlice } from '@devkit/lockfile/closure';
import { canonicalJson } from './canonical-json.js';
import { digestOf, type Digest } from './digest.js';
import { gitVisibleFiles } from './member-files.js';

/**
 * Everything that decides the bytes of a deployable's artifact, itemised so that `devkit why`
 * can say which item changed. Its digest is the cache key for reuse.
 */
export interface InputsRecord {
  /** Repo-relative path → `sha256:…` of the content (`x:` prefix for executables, `l:` for links). */
  files: Record<string, string>;
  /** The lockfile slice its build closure uses: package key → resolution and dependencies. */
  lockfile: Record<string, string>;
  /** Digest of the build-relevant devkit.json keys (toolchain, native, artifacts.env). */
  config: string;
  toolchain: Record<string, string>;
  devkitVersion: string;
  /** Declared environment variables → digest of the value (null when unset). */
  env: Record<string, string | null>;
}

export interface InputsOptions {
  root: string;
  deployable: string;
  lock: ParsedLockfile;
  /** The parsed devkit.json. */
  config: { toolchain?: unknown; native?: unknown; artifacts?: { env?: string[] } };
  toolchain: Record<string, string>;
  devkitVersion: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Collects the inputs of one deployable: the files git sees in it and in every workspace
 * member its build reaches (dev dependencies included: they build it), the root's own files,
 * the lockfile slice of that closure, the build-relevant config, the toolchain, devkit's
 * version and only the environment variables devkit.json declares — an undeclared variable
 * can never leak into a cache hit because it never reaches the build record.
 */
export async function collectInputs(options: InputsOptions): Promise<InputsRecord> {
  const closure = dependencyClosure(options.lock, options.deployable, true);
  const files: Record<string, string> = {};
  const members = [...new Set([...closure.importers.filter((m) => m !== '.'), '.'])];
  for (const member of members) {
    const listed = await gitVisibleFiles(options.root, member);
    for (const path of listed) {
      // The root member contributes only its own top-level files; nested members count only when reached.
      if (member === '.' && path.includes('/')) continue;
      if (path === 'pnpm-lock.yaml' || path === 'devkit.json') continue;
      files[path] = await fileDigest(join(options.root, path));
    }
  }
  const slice = lockfileSlice(options.lock, dependencyClosure(options.lock, '.', true));
  Object.assign(slice, lockfileSlice(options.lock, closure));
  const lockfile: Record<string, string> = {};
  for (const [key, value] of Object.entries(slice)) lockfile[key] = digestOf(canonicalJson(value));
  const declared = [...new Set([...(options.config.artifacts?.env ?? []), 'SOURCE_DATE_EPOCH'])].sort();
  const env: Record<string, string | null> = {};
  for (const name of declared) {
    const value = options.env[name];
    env[name] = value === undefined ? null : digestOf(value);
  }
  return {
    files: sortRecord(files),
    lockfile: sortRecord(lockfile),
    config: digestOf(
      canonicalJson({
        toolchain: options.config.toolchain ?? null,
        native: options.config.native ?? null,
        env: options.config.artifacts?.env ?? [],
      }),
    ),
    toolchain: sortRecord(options.toolchain),
    devkitVersion: options.devkitVersion,
    env,
  };
}

/** The inputs digest: SHA-256 over the canonical JSON of the record. */
export function inputsDigest(record: InputsRecord): Digest {
  return digestOf(canonicalJson(record));
}

async function fileDigest(path: string): Promise<string> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return `l:${digestOf(await readlink(path))}`;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `${(st.mode & 0o111) !== 0 ? 'x:' : ''}sha256:${hash.digest('hex')}`;
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What differs between two inputs records, item by item: the answer to "why did this rebuild?". */
export interface InputsDiff {
  files: { added: string[]; removed: string[]; changed: string[] };
  lockfile: { added: string[]; removed: string[]; changed: string[] };
  config: boolean;
  toolchain: Array<{ key: string; a: string | null; b: string | null }>;
  devkitVersion: { a: string; b: string } | null;
  env: Array<{ name: string; a: string | null; b: string | null }>;
  same: boolean;
}

export function diffInputs(a: InputsRecord, b: InputsRecord): InputsDiff {
  const diffMap = (x: Record<string, string>, y: Record<string, string>) => ({
    added: Object.keys(y).filter((k) => !(k in x)),
    removed: Object.keys(x).filter((k) => !(k in y)),
    changed: Object.keys(x).filter((k) => k in y && x[k] !== y[k]),
  });
  const keys = (x: object, y: object) => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const files = diffMap(a.files, b.files);
  const lockfile = diffMap(a.lockfile, b.lockfile);
  const toolchain = keys(a.toolchain, b.toolchain)
    .filter((k) => a.toolchain[k] !== b.toolchain[k])
    .map((key) => ({ key, a: a.toolchain[key] ?? null, b: b.toolchain[key] ?? null }));
  const env = keys(a.env, b.env)
    .filter((k) => a.env[k] !== b.env[k])
    .map((name) => ({ name, a: a.env[name] ?? null, b: b.env[name] ?? null }));
  const devkitVersion = a.devkitVersion === b.devkitVersion ? null : { a: a.devkitVersion, b: b.devkitVersion };
  const config = a.config !== b.config;
  const count = (d: { added: string[]; removed: string[]; changed: string[] }) =>
    d.added.length + d.removed.length + d.changed.length;
  const same =
    count(files) + count(lockfile) + toolchain.length + env.length === 0 && !config && devkitVersion === null;
  return { files, lockfile, config, toolchain, devkitVersion, env, same };
}
