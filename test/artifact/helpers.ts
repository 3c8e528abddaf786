import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { DEVKIT_BIN, REPO_ROOT, copyFixture, git, gitInit, tempDir } from '@devkit/test-utils';

/** The acme fixture as a git repo with one commit (no node_modules, no build output). */
export function fixtureRepo(): string {
  const dir = copyFixture('acme');
  for (const junk of [
    '.turbo',
    'apps/api/dist',
    'apps/web/dist',
    'packages/shared/dist',
    'apps/api/.turbo',
    'apps/web/.turbo',
    'packages/shared/.turbo',
    '.husky/_',
  ]) {
    rmSync(join(dir, junk), { recursive: true, force: true });
  }
  gitInit(dir);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'acme');
  return dir;
}

/** A clone of `origin` in a fresh folder, with its dependencies installed from the lockfile. */
export async function cloneAndInstall(origin: string, folderName: string): Promise<string> {
  const parent = tempDir();
  chmodSync(parent, 0o755);
  const dir = join(parent, folderName);
  execFileSync('git', ['clone', '-q', origin, dir]);
  execFileSync('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--ignore-scripts'], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdio: 'pipe',
  });
  // The fixture's api imports node:http without declaring @types/node (inside the devkit repo
  // tsc finds the repo's own copy above it); give the clone the same one.
  const types = join(dir, 'node_modules', '@types');
  mkdirSync(types, { recursive: true });
  if (!existsSync(join(types, 'node')))
    symlinkSync(join(REPO_ROOT, 'node_modules', '@types', 'node'), join(types, 'node'));
  return dir;
}

/** Checks a store folder by hand: index.json parses and every blob hashes to its name. */
export function checkStoreByHand(storeRoot: string): { blobs: number; bad: string[] } {
  JSON.parse(readFileSync(join(storeRoot, 'index.json'), 'utf8'));
  const dir = join(storeRoot, 'blobs', 'sha256');
  const bad: string[] = [];
  const names = existsSync(dir) ? readdirSync(dir) : [];
  for (const name of names) {
    const hex = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
    if (hex !== name) bad.push(name);
  }
  return { blobs: names.length, bad };
}

export interface EntryListing {
  path: string;
  type: string;
  mode: number;
  size: number;
  digest: string | null;
  linkpath: string;
}

/** Names the entries that differ between two `artifact inspect --entries --json` outputs. */
export function diffEntryListings(a: Record<string, EntryListing[]>, b: Record<string, EntryListing[]>): string[] {
  const out: string[] = [];
  for (const part of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const ma = new Map((a[part] ?? []).map((e) => [e.path, JSON.stringify(e)]));
    const mb = new Map((b[part] ?? []).map((e) => [e.path, JSON.stringify(e)]));
    for (const path of new Set([...ma.keys(), ...mb.keys()])) {
      if (ma.get(path) !== mb.get(path))
        out.push(`${part}: ${path}: ${ma.get(path) ?? 'absent'} vs ${mb.get(path) ?? 'absent'}`);
    }
  }
  return out;
}

/**
 * Runs `workers` processes that each promote `name` to `env` 20 times, cycling through
 * `digests` from their own start, and resolves to how many of those promotes moved the tag
 * (the rest were no-ops). A failing promote fails its worker, with devkit's output.
 */
export async function racePromotes(options: {
  cwd: string;
  name: string;
  env: string;
  digests: readonly string[];
  workers: number;
}): Promise<number> {
  const script = (worker: number) => `
    const { execFileSync } = require('node:child_process');
    const digests = ${JSON.stringify(options.digests)};
    let moved = 0;
    for (let i = 0; i < 20; i++) {
      const d = digests[(${worker} + i) % digests.length];
      let raw;
      try {
        raw = execFileSync(process.execPath, [${JSON.stringify(DEVKIT_BIN)}, 'promote', ${JSON.stringify(`${options.name}@`)} + d, '--to', ${JSON.stringify(options.env)}, '--json'], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        process.stderr.write('promote failed: ' + e.stdout + e.stderr);
        process.exit(1);
      }
      if (!JSON.parse(raw).noop) moved++;
    }
    process.stdout.write(String(moved));`;
  const runOne = (worker: number) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script(worker)], {
        cwd: options.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) =>
        code === 0 ? resolve(Number(out)) : reject(new Error(`worker ${worker} exited ${code}: ${err}`)),
      );
    });
  const moved = await Promise.all(Array.from({ length: options.workers }, (_, i) => runOne(i)));
  return moved.reduce((x, y) => x + y, 0);
}
