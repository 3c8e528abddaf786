/**
 * The importer folders named in a pnpm lockfile, read with a line scan rather than a YAML
 * parse: the dependencies step fingerprints every importer's manifest on every warm bootstrap,
 * and a 2,000-package lockfile parses in tens of milliseconds while this scan takes one. A
 * lockfile without an `importers:` section (a single-project repo) has the root alone.
 */
export function lockfileImporterPaths(lockfile: string): string[] {
  const start = lockfile.search(/^importers:\s*$/m);
  if (start < 0) return ['.'];
  const importers: string[] = [];
  const lines = lockfile.slice(start).split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 0 && !line.startsWith(' ')) break;
    // `  apps/api:` with its dependencies below, or `  packages/empty: {}` for one with none.
    const match = /^ {2}(\S.*?):(?:\s+\{\})?\s*$/.exec(line);
    if (match) importers.push(match[1]!.replace(/^'(.*)'$/, '$1'));
  }
  return importers;
}
