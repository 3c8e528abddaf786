// Builds the `devkit` package: the CLI and every @devkit/* package it imports bundled into
// dist/ (esbuild, ESM, split at each dynamic import so that `devkit exec` and the commit hook load
// only what they use), third-party packages left as imports of the package's own dependencies,
// and the files devkit reads at run time (SHIPPED_FILES) copied in beside the bundle.
//
//   node --import tsx scripts/build.ts
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUILD_INFO_FILE, SHIPPED_FILES, type BuildInfo } from '@devkit/core/install';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(packageDir, '..', '..');
const dist = join(packageDir, 'dist');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

/** Every entry the package runs: the bin, and the script the services' supervisor is spawned with. */
const ENTRIES = {
  bin: join(repoRoot, 'packages/cli/src/bin.ts'),
  'supervisor-main': join(repoRoot, 'packages/services/src/supervisor-main.ts'),
};

const builtins = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Bundles @devkit/* (from their sources) and keeps every other bare import as an import. */
function externals(seen: Map<string, Set<string>>): Plugin {
  return {
    name: 'devkit-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('@devkit/')) return undefined;
        if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true };
        const name = packageName(args.path);
        const importers = seen.get(name) ?? new Set<string>();
        importers.add(relative(repoRoot, args.importer));
        seen.set(name, importers);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Bare specifiers the bundle loads at run time without an import statement esbuild resolves:
 * `createRequire(…)('semver')`, `import.meta.resolve('husky')`. esbuild prints them with double
 * quotes.
 */
function runtimeRequests(code: string): string[] {
  const found: string[] = [];
  for (const m of code.matchAll(/(?:\brequire\w*|\.resolve|\)\s*)\(\s*"([^"./][^"]*)"\s*\)/g)) {
    const specifier = m[1]!;
    if (!specifier.startsWith('node:') && !builtins.has(specifier)) found.push(packageName(specifier));
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

rmSync(dist, { recursive: true, force: true });
const seen = new Map<string, Set<string>>();
await build({
  entryPoints: ENTRIES,
  outdir: dist,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Bundle the workspace packages from their sources (their `source` export condition).
  conditions: ['source'],
  plugins: [externals(seen)],
  // No source maps: they would triple the tarball; the bundle keeps names and one module per
  // region (esbuild's `// packages/<name>/src/<file>.ts` markers), so a stack trace still reads.
  sourcemap: false,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});

for (const file of filesUnder(dist)) {
  for (const name of runtimeRequests(readFileSync(file, 'utf8'))) {
    const importers = seen.get(name) ?? new Set<string>();
    importers.add(relative(repoRoot, file));
    seen.set(name, importers);
  }
}
const undeclared = [...seen.keys()].filter((name) => !(name in manifest.dependencies)).sort();
if (undeclared.length > 0) {
  const lines = undeclared.map((name) => `  ${name} (imported by ${[...seen.get(name)!].sort().join(', ')})`);
  process.stderr.write(
    `error E_BUNDLE_UNDECLARED: the devkit bundle imports packages packages/devkit/package.json does not depend on:\n${lines.join('\n')}\n` +
      `fix: add each to "dependencies" in packages/devkit/package.json as "<name>": "catalog:", then run pnpm install\n`,
  );
  process.exit(2);
}

for (const [inPackage, inRepo] of Object.entries(SHIPPED_FILES)) {
  const from = join(repoRoot, inRepo);
  const to = join(packageDir, inPackage);
  if (!existsSync(from)) {
    process.stderr.write(
      `error E_BUNDLE_MISSING_FILE: ${relative(repoRoot, from)} does not exist\nfix: pnpm build (turbo builds @devkit/config's schema.json first)\n`,
    );
    process.exit(2);
  }
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

// The build's identity: caches keyed on devkit's own code (devkit.json's validation verdict)
// use it, so a rebuilt bundle of the same version never trusts an older build's verdict.
const digest = createHash('sha256');
for (const file of filesUnder(dist)) {
  digest.update(relative(dist, file)).update('\0').update(readFileSync(file)).update('\0');
}
const info: BuildInfo = { version: manifest.version, digest: digest.digest('hex') };
writeFileSync(join(packageDir, BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
