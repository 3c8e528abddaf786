import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The publishable package's folder. */
export const DEVKIT_PACKAGE_DIR = join(REPO_ROOT, 'packages/devkit');

let packing: Promise<string> | undefined;

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [''];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** A digest of what `pnpm pack` would put in the tarball (the manifest's `files`, package.json, LICENSE). */
function contentDigest(): string {
  const manifest = JSON.parse(readFileSync(join(DEVKIT_PACKAGE_DIR, 'package.json'), 'utf8')) as { files: string[] };
  const hash = createHash('sha256');
  for (const top of ['package.json', 'LICENSE', ...manifest.files]) {
    for (const rel of filesUnder(join(DEVKIT_PACKAGE_DIR, top))) {
      const file = join(DEVKIT_PACKAGE_DIR, top, rel);
      hash.update(`${top}/${rel}\0`).update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * `pnpm pack` of the built `devkit` package (packages/devkit; `pnpm build` makes it): the path of
 * the tarball. Packed once per content: a folder under the temp dir named by the digest of what
 * goes in is shared by every test file and worker (made in a private folder, then renamed into
 * place, so concurrent callers never see half a tarball), and reused until the build changes.
 */
export function packDevkit(): Promise<string> {
  packing ??= (async () => {
    if (!existsSync(join(DEVKIT_PACKAGE_DIR, 'dist', 'build-info.json')))
      throw new Error(`packages/devkit is not built (no dist/build-info.json); run pnpm build first`);
    const dest = join(tmpdir(), `devkit-pack-${contentDigest()}`);
    const tarball = () => readdirSync(dest).find((f) => f.endsWith('.tgz'));
    if (existsSync(dest) && tarball()) return join(dest, tarball()!);
    const work = mkdtempSync(`${dest}.tmp-`);
    try {
      await execa('pnpm', ['pack', '--pack-destination', work], { cwd: DEVKIT_PACKAGE_DIR, stdio: 'pipe' });
      try {
        renameSync(work, dest);
      } catch (error) {
        // Another worker finished first: its tarball has the same content.
        if (!existsSync(dest)) throw error;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const name = tarball();
    if (!name) throw new Error(`pnpm pack left no tarball in ${dest}`);
    return join(dest, name);
  })();
  return packing;
}
