/** The one package that is published (packages/devkit); every other one is a private workspace package. */
export const PUBLISHED_PACKAGE = 'devkit';

/**
 * The one declared order of devkit's packages. Every import follows it: ESLint's
 * `devkit/layering` rule reads it for each import, and tools/eslint/package-order.test.ts holds
 * every package.json's dependencies to it. A new package is added here, or lint fails on it.
 *
 * A package imports only packages in the tiers below its own. Inside the capabilities tier a
 * package imports another only along the edges below (and what those reach in turn); anything
 * else that must flow between capabilities is passed in as data by the CLI.
 */
export const PACKAGE_TIERS = [
  { tier: 'core', packages: ['@devkit/core'] },
  { tier: 'config', packages: ['@devkit/config'] },
  {
    tier: 'capabilities',
    packages: [
      '@devkit/lockfile',
      '@devkit/artifact',
      '@devkit/registry',
      '@devkit/environments',
      '@devkit/toolchain',
      '@devkit/services',
      '@devkit/hooks',
      '@devkit/native',
      '@devkit/init',
    ],
  },
  { tier: 'cli', packages: ['@devkit/cli'] },
  // What users install: every package above bundled into one (its devDependencies), no sources.
  { tier: 'package', packages: [PUBLISHED_PACKAGE] },
];

/** Capability → the capabilities it imports directly: lockfile ← artifact ← registry ← environments, lockfile ← toolchain ← init, hooks ← init. */
export const CAPABILITY_EDGES = {
  '@devkit/artifact': ['@devkit/lockfile'],
  '@devkit/registry': ['@devkit/artifact'],
  '@devkit/environments': ['@devkit/registry'],
  '@devkit/toolchain': ['@devkit/lockfile'],
  // init carries hooks and pins over with the readers devkit itself runs, not copies of them.
  '@devkit/init': ['@devkit/hooks', '@devkit/toolchain'],
};

/** Imported by tests only (`*.test.ts`, test/, bench/), never by a package's sources; it may import any package. */
export const TEST_ONLY_PACKAGES = ['@devkit/test-utils'];

/** The order as a message shows it. */
export const ORDER_TEXT = `${PACKAGE_TIERS.map((t) => t.tier).join(' ← ')}; among capabilities ${chainText()}`;

/** The edges as chains, lowest first: `lockfile ← artifact ← registry ← environments`. */
function chainText() {
  const chains = Object.entries(CAPABILITY_EDGES).flatMap(([from, tos]) => tos.map((to) => [short(to), short(from)]));
  for (let merged = true; merged;) {
    merged = false;
    for (const chain of chains) {
      const next = chains.find((other) => other !== chain && other[0] === chain.at(-1));
      if (next) {
        chain.push(...next.slice(1));
        chains.splice(chains.indexOf(next), 1);
        merged = true;
        break;
      }
    }
  }
  return chains.map((chain) => chain.join(' ← ')).join(', ');
}

/** `@devkit/artifact` → `artifact`. */
export function short(name) {
  return name.replace(/^@devkit\//, '');
}

/** The tier index of a package, -1 for a test-only one, undefined for one not declared. */
export function tierOf(name) {
  if (TEST_ONLY_PACKAGES.includes(name)) return -1;
  const index = PACKAGE_TIERS.findIndex((t) => t.packages.includes(name));
  return index < 0 ? undefined : index;
}

/** Every declared package, test-only ones included. */
export function declaredPackages() {
  return [...PACKAGE_TIERS.flatMap((t) => t.packages), ...TEST_ONLY_PACKAGES];
}

const capabilityTier = PACKAGE_TIERS.findIndex((t) => t.tier === 'capabilities');

/** The capabilities `name` reaches along the declared edges (itself excluded). */
function reachable(name) {
  const seen = new Set();
  const next = [...(CAPABILITY_EDGES[name] ?? [])];
  while (next.length > 0) {
    const current = next.pop();
    if (seen.has(current)) continue;
    seen.add(current);
    next.push(...(CAPABILITY_EDGES[current] ?? []));
  }
  return seen;
}

/**
 * Why `importer` may not import `imported` (both declared package names), or undefined when
 * it may. The reason names both packages and the direction the order allows.
 */
export function layeringViolation(importer, imported) {
  if (importer === imported) return undefined;
  const from = tierOf(importer);
  const to = tierOf(imported);
  if (from === undefined || to === undefined) return undefined;
  if (from === -1) return undefined;
  if (to === -1)
    return `${imported} is for tests only (*.test.ts, test/, bench/): ${importer}'s sources may not import it`;
  if (to > from) {
    return `${importer} may not import ${imported}: ${imported} (${PACKAGE_TIERS[to].tier}) may import ${importer} (${PACKAGE_TIERS[from].tier}), not the other way round. The order is ${ORDER_TEXT}`;
  }
  if (to < from) return undefined;
  if (from !== capabilityTier)
    return `${importer} may not import ${imported}: they share the ${PACKAGE_TIERS[from].tier} tier. The order is ${ORDER_TEXT}`;
  if (reachable(importer).has(imported)) return undefined;
  if (reachable(imported).has(importer)) {
    return `${importer} may not import ${imported}: ${imported} may import ${importer} (${short(importer)} ← ${short(imported)}), not the other way round. The order is ${ORDER_TEXT}`;
  }
  return `${importer} may not import ${imported}: capabilities import each other only along declared edges (${chainText()}); pass the data in from @devkit/cli, or declare the edge in tools/eslint/package-order.js`;
}
