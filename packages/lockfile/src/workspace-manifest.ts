import { usageError } from '@devkit/core';

const FILE = 'pnpm-workspace.yaml';

function invalid(key: string, expected: string, found: unknown): never {
  const what = Array.isArray(found) ? 'an array' : found === null ? 'null' : typeof found;
  throw usageError('E_WORKSPACE_INVALID', `${FILE}: ${key} must be ${expected}, found ${what}`, {
    hint: `fix ${key} in ${FILE}`,
    details: { file: FILE, key, expected },
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The shape rules pnpm enforces on pnpm-workspace.yaml before it installs anything: `packages`
 * a list of non-empty strings, `catalog` and each of `catalogs` a map of string specifiers.
 */
export function validateWorkspaceManifest(manifest: Record<string, unknown>): void {
  const { packages, catalog, catalogs } = manifest;
  if (packages) {
    if (!Array.isArray(packages)) invalid('packages', 'a list of glob patterns', packages);
    packages.forEach((pattern, i) => {
      if (!pattern || typeof pattern !== 'string') invalid(`packages[${i}]`, 'a non-empty string', pattern);
    });
  }
  const checkCatalog = (key: string, value: unknown) => {
    if (!isObject(value)) invalid(key, 'a map of dependency names to specifiers', value);
    for (const [name, spec] of Object.entries(value))
      if (typeof spec !== 'string') invalid(`${key}.${name}`, 'a string specifier', spec);
  };
  if (catalog != null) checkCatalog('catalog', catalog);
  if (catalogs != null) {
    if (!isObject(catalogs)) invalid('catalogs', 'a map of named catalogs', catalogs);
    for (const [name, entries] of Object.entries(catalogs)) checkCatalog(`catalogs.${name}`, entries);
  }
}
