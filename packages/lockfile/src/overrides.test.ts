import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  parseOverrides,
  parseSelector,
  rangesIntersect,
  resolveVersionReferences,
} from './overrides.js';

describe('overrides', () => {
  it('parses selectors as pnpm does', () => {
    expect(parseSelector('foo')).toEqual({ name: 'foo' });
    expect(parseSelector('@s/foo@^1')).toEqual({ name: '@s/foo', range: '^1' });
    expect(parseOverrides({ 'a@1>b@<2': '2.0.0', '@s/c': '1.0.0' }, {}, 'x')).toEqual([
      { selector: 'a@1>b@<2', parent: { name: 'a', range: '1' }, target: { name: 'b', range: '<2' }, spec: '2.0.0' },
      { selector: '@s/c', target: { name: '@s/c' }, spec: '1.0.0' },
    ]);
  });

  it('resolves catalog: values and $references, and names what it cannot resolve', () => {
    expect(
      parseOverrides(
        { ms: 'catalog:', kleur: 'catalog:old' },
        { default: { ms: '^2.1.3' }, old: { kleur: '^3' } },
        'x',
      ).map((o) => o.spec),
    ).toEqual(['^2.1.3', '^3']);
    expect(() => parseOverrides({ ms: 'catalog:' }, {}, 'pnpm-workspace.yaml')).toThrow(
      /catalog "default" has no entry for ms/,
    );
    expect(resolveVersionReferences({ foo: '$foo', bar: '1.0.0' }, { devDependencies: { foo: '^2' } }, 'x')).toEqual({
      foo: '^2',
      bar: '1.0.0',
    });
    expect(() => resolveVersionReferences({ foo: '$foo' }, {}, 'package.json')).toThrow(/has no dependency foo/);
    expect(() => parseOverrides({ '.bad': '1.0.0' }, {}, 'package.json')).toThrow(/cannot parse the override selector/);
  });

  it('applies overrides to a project manifest: ranges must intersect, parents must match, "-" removes', () => {
    const manifest = {
      name: 'app',
      version: '1.0.0',
      dependencies: { a: '^1.0.0', b: '^2.0.0', c: '1.0.0' },
      devDependencies: { d: '^1.0.0' },
      peerDependencies: { e: '^1.0.0' },
    };
    applyOverrides(
      manifest,
      parseOverrides(
        { 'a@^1': '1.5.0', 'b@^3': '3.0.0', 'app>c': '1.0.1', 'other>d': '9.9.9', e: '^1.2.0', '-c': '1', d: '-' },
        {},
        'x',
      ).filter((o) => o.selector !== '-c'),
      'apps/app',
    );
    expect(manifest).toEqual({
      name: 'app',
      version: '1.0.0',
      dependencies: { a: '1.5.0', b: '^2.0.0', c: '1.0.1' },
      devDependencies: {},
      peerDependencies: { e: '^1.2.0' },
    });
  });

  it('re-expresses a file: override relative to the project', () => {
    const manifest = { dependencies: { a: '^1.0.0' } };
    applyOverrides(manifest, parseOverrides({ a: 'file:vendor/a' }, {}, 'x'), 'apps/web');
    expect(manifest.dependencies.a).toBe('file:../../vendor/a');
  });

  it('intersects ranges like semver', () => {
    expect(rangesIntersect(undefined, 'anything')).toBe(true);
    expect(rangesIntersect('^1', '1.2.3')).toBe(true);
    expect(rangesIntersect('^2', '1.2.3')).toBe(false);
    expect(rangesIntersect('^1', 'workspace:*')).toBe(false);
  });
});
