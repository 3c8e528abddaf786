import realSemver from 'semver';
import { describe, expect, it } from 'vitest';
import { intersects, isValidRange, isValidVersion, satisfies } from './semver-lazy.js';

describe('semver fast paths', () => {
  it('decide exactly as semver does', () => {
    const versions = [
      '0.0.3',
      '0.0.4',
      '0.1.0',
      '0.1.5',
      '0.2.0',
      '1.0.0',
      '1.2.3',
      '1.2.4',
      '1.3.0',
      '2.0.0',
      '1.2.3-beta.1',
      '10.0.0',
    ];
    const ranges = [
      '1.2.3',
      '^1.2.3',
      '~1.2.3',
      '^0.1.2',
      '^0.0.3',
      '~0.1.0',
      '^10.0.0',
      '>=1.2.3 <2',
      '*',
      '1.x',
      '^1.2.3-beta.0',
    ];
    for (const version of versions) {
      expect(isValidVersion(version)).toBe(realSemver.valid(version) !== null);
      for (const range of ranges)
        expect([version, range, satisfies(version, range)]).toEqual([
          version,
          range,
          realSemver.satisfies(version, range),
        ]);
    }
    for (const spec of [
      ...ranges,
      'workspace:*',
      'catalog:',
      'npm:foo@^1',
      'link:../x',
      'github:a/b',
      'a/b',
      'latest',
      'https://x/y.tgz',
      '',
    ]) {
      expect([spec, isValidRange(spec)]).toEqual([spec, realSemver.validRange(spec) !== null]);
    }
    for (const version of ['link:../../x', 'file:foo.tgz', 'https://x/y.tgz', 'v1.2.3'])
      expect(isValidVersion(version)).toBe(realSemver.valid(version) !== null);
  });

  it('intersect ranges exactly as semver does', () => {
    const versions = [
      '0',
      '0.0',
      '0.0.0',
      '0.0.1',
      '0.1',
      '0.1.0',
      '0.7.0',
      '1',
      '1.2',
      '1.2.3',
      '1.3.0',
      '2',
      '2.0.0',
      '6',
    ];
    const ranges = ['1.2.3 <2', '>=1 <2', '>=2 <1', '>1.2.3 <1.2.4', '<=1.2 >=1.2', '>=1.2.3 <=1.2.3', '^1.2.3-beta.0'];
    for (const version of versions)
      for (const op of ['', '=', '^', '~', '<', '<=', '>', '>=']) ranges.push(`${op}${version}`);
    let compared = 0;
    for (const a of ranges) {
      expect([a, isValidRange(a)]).toEqual([a, realSemver.validRange(a) !== null]);
      for (const b of ranges) {
        expect([a, b, intersects(a, b)]).toEqual([a, b, realSemver.intersects(a, b)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});
