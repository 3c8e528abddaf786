import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@devkit/test-utils';
import { declaredPackages, layeringViolation, PUBLISHED_PACKAGE, TEST_ONLY_PACKAGES } from './package-order.js';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const PACKAGES = join(REPO_ROOT, 'packages');
const folders = readdirSync(PACKAGES).filter((d) => existsSync(join(PACKAGES, d, 'package.json')));

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.[cm]?ts$/.test(f) && !f.endsWith('.d.ts') && !/\.test\.[cm]?ts$/.test(f))
    .map((f) => join(dir, f));
}

/** The @devkit packages a package's (non-test) sources import, static, type or dynamic. */
function importedPackages(folder: string): Set<string> {
  const found = new Set<string>();
  for (const file of sourceFiles(join(PACKAGES, folder, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(
      /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](@devkit\/[^/'"]+)/g,
    ))
      found.add(match[1]!);
  }
  return found;
}

/** What is wrong with a package's manifest against the declared order and its own imports. */
function manifestFindings(manifest: Manifest, imports: ReadonlySet<string>): string[] {
  const findings: string[] = [];
  for (const [field, deps] of [
    ['dependencies', manifest.dependencies],
    ['devDependencies', manifest.devDependencies],
  ] as const) {
    for (const dep of Object.keys(deps ?? {}).filter((d) => d.startsWith('@devkit/'))) {
      if (!declaredPackages().includes(dep))
        findings.push(`${manifest.name} ${field}: ${dep} is not in the declared package order`);
      else if (TEST_ONLY_PACKAGES.includes(dep) && !TEST_ONLY_PACKAGES.includes(manifest.name)) {
        if (field === 'dependencies')
          findings.push(`${manifest.name} dependencies: ${dep} is for tests only (devDependencies at most)`);
      } else {
        const reason = layeringViolation(manifest.name, dep);
        if (reason) findings.push(`${manifest.name} ${field}: ${reason}`);
      }
    }
  }
  for (const imported of imports) {
    if (imported !== manifest.name && !(imported in (manifest.dependencies ?? {})))
      findings.push(`${manifest.name} imports ${imported} without listing it in dependencies`);
  }
  return findings;
}

describe('the declared package order', () => {
  it('names every package folder, each as @devkit/<folder> (packages/devkit as devkit), and nothing else', () => {
    const names = folders.map(
      (d) => (JSON.parse(readFileSync(join(PACKAGES, d, 'package.json'), 'utf8')) as Manifest).name,
    );
    expect(names).toEqual(folders.map((d) => (d === PUBLISHED_PACKAGE ? d : `@devkit/${d}`)));
    expect([...declaredPackages()].sort()).toEqual([...names].sort());
  });

  it.each(folders)(
    'agrees with packages/%s/package.json: dependencies follow the order and cover the imports',
    (folder) => {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, folder, 'package.json'), 'utf8')) as Manifest;
      expect(manifestFindings(manifest, importedPackages(folder))).toEqual([]);
    },
  );

  it('finds a dependency against the order, a test-only dependency and an unlisted import', () => {
    const manifest: Manifest = {
      name: '@devkit/artifact',
      dependencies: {
        '@devkit/core': 'workspace:*',
        '@devkit/environments': 'workspace:*',
        '@devkit/test-utils': 'workspace:*',
      },
    };
    expect(manifestFindings(manifest, new Set(['@devkit/core', '@devkit/lockfile']))).toEqual([
      expect.stringMatching(
        /^@devkit\/artifact dependencies: @devkit\/artifact may not import @devkit\/environments: @devkit\/environments may import @devkit\/artifact/,
      ),
      '@devkit/artifact dependencies: @devkit/test-utils is for tests only (devDependencies at most)',
      '@devkit/artifact imports @devkit/lockfile without listing it in dependencies',
    ]);
    expect(
      manifestFindings({ name: '@devkit/core', devDependencies: { '@devkit/test-utils': 'workspace:*' } }, new Set()),
    ).toEqual([]);
  });
});
