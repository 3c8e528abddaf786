import { describe, expect, it } from 'vitest';
import { parseVersionOutput, versionMatches } from './version.js';

describe('parseVersionOutput', () => {
  it.each([
    ['postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', '15.18'],
    ['Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0', '7.0.15'],
    ['memcached 1.6.18', '1.6.18'],
    ['docker-registry github.com/docker/distribution 2.8.2+ds1', '2.8.2'],
    ['registry github.com/distribution/distribution/v3 v3.0.0', '3.0.0'],
  ])('%s → %s', (output, version) => expect(parseVersionOutput(output)).toBe(version));

  it('finds nothing in output without a version', () =>
    expect(parseVersionOutput('usage: postgres [options]')).toBeUndefined());
});

describe('versionMatches', () => {
  it('compares the declared major, or major.minor, and nothing more', () => {
    expect(versionMatches('15', '15.18')).toBe(true);
    expect(versionMatches('15', '16.2')).toBe(false);
    expect(versionMatches('1.6', '1.6.18')).toBe(true);
    expect(versionMatches('1.6', '1.5.22')).toBe(false);
    expect(versionMatches('7', '7.0.15')).toBe(true);
    expect(versionMatches('1', '10.0')).toBe(false);
  });
});
