import { describe, expect, it } from 'vitest';
import { checkReferences } from './check-references.js';
import type { LockfilePackage, ParsedLockfile } from './types.js';

const pkg = (key: string): LockfilePackage => ({
  key,
  name: key.slice(0, key.indexOf('@', 1)),
  version: key.slice(key.indexOf('@', 1) + 1),
  resolution: { integrity: 'sha512-x' },
  line: 1,
});
const lockfile = (over: Partial<ParsedLockfile> = {}): ParsedLockfile => ({
  lockfileVersion: '9.0',
  importers: {
    'apps/api': {
      specifiers: { debug: '^4', shared: 'workspace:*', 'my-ms': 'npm:ms@^2' },
      dependencies: { debug: '4.4.3(supports-color@8.1.1)', shared: 'link:../shared', 'my-ms': 'ms@2.1.3' },
    },
  },
  packages: [pkg('debug@4.4.3'), pkg('ms@2.1.3'), pkg('supports-color@8.1.1')],
  snapshots: new Map([
    ['debug@4.4.3(supports-color@8.1.1)', { line: 10, refs: ['ms', '2.1.3', 'supports-color', '8.1.1'] }],
    ['ms@2.1.3', { line: 20, refs: [] }],
    ['supports-color@8.1.1', { line: 30, refs: [] }],
    ['orphan@1.0.0', { line: 40, refs: ['nowhere', '9.9.9'] }],
  ]),
  ...over,
});

describe('checkReferences', () => {
  it('accepts a lockfile whose references all resolve (links, aliases and peers included; orphans ignored)', () => {
    expect(checkReferences(lockfile())).toEqual([]);
  });

  it('finds a reference from an importer or a snapshot to a missing snapshot, and a snapshot without a package', () => {
    const broken = lockfile({ packages: [pkg('debug@4.4.3'), pkg('supports-color@8.1.1')] });
    broken.snapshots.get('debug@4.4.3(supports-color@8.1.1)')!.refs.push('has-flag', '4.0.0');
    broken.importers['apps/web'] = { specifiers: { react: '18.3.1' }, devDependencies: { react: '18.3.1' } };
    expect(checkReferences(broken).map((f) => [f.code, f.package, f.importer ?? null, f.line ?? null])).toEqual([
      ['MISSING_PACKAGE', 'react@18.3.1', 'apps/web', null],
      ['MISSING_PACKAGE', 'has-flag@4.0.0', null, 10],
      ['MISSING_PACKAGE', 'ms@2.1.3', null, 20],
    ]);
    expect(checkReferences(broken)[1]!.message).toBe(
      'debug@4.4.3(supports-color@8.1.1) depends on has-flag 4.0.0, but pnpm-lock.yaml has no snapshot has-flag@4.0.0 (a broken lockfile)',
    );
  });
});
