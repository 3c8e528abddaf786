import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { afterEach, describe, expect, it } from 'vitest';
import { newestSatisfying, pinnedPnpmMajor, readPins, satisfiesPins, type PinConfig } from './pins.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(files: Record<string, string | object>, config: PinConfig = {}) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-pins-')));
  made.push(root);
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
  return readPins(root, config);
}

describe('readPins', () => {
  it('reads packageManager with its hash as the exact pnpm, and says where it came from', () => {
    const pins = repo({ 'package.json': { packageManager: 'pnpm@11.19.0+sha512.0123abcd' } });
    expect(pins.problems).toEqual([]);
    expect(pins.pnpm).toMatchObject({ exact: '11.19.0', constraintOnly: false });
    expect(pins.pnpm!.source).toMatchObject({ file: 'package.json', key: 'packageManager', hash: 'sha512.0123abcd' });
    expect(pins.node).toBeUndefined();
    expect(pinnedPnpmMajor(pins)).toEqual({ major: 11, source: 'package.json packageManager', exact: true });
  });

  it('reads exact versions as semver does, without loading it for plain ones', () => {
    for (const version of [
      '10.34.9',
      'v24.22.3',
      '0.0.0',
      '12.0.0-rc.7',
      '1.2.3+build',
      '01.2.3',
      '1.2',
      '9007199254740993.0.0',
    ]) {
      const pins = repo({ '.node-version': version, 'package.json': { packageManager: `pnpm@${version}` } });
      const exact = semver.valid(version.trim()) ?? undefined;
      expect([version, pins.node?.exact]).toEqual([version, exact]);
      if (exact) expect(pinnedPnpmMajor(pins)?.major).toBe(semver.major(exact));
    }
  });

  it('ignores a packageManager that is not pnpm', () => {
    const pins = repo({ 'package.json': { packageManager: 'yarn@4.5.0' } });
    expect(pins.pnpm).toBeUndefined();
    expect(pinnedPnpmMajor(pins)).toBeUndefined();
  });

  it('reads devEngines as an object or an array, keeping onFail', () => {
    const pins = repo({
      'package.json': {
        devEngines: {
          runtime: [
            { name: 'bun', version: '1.2.0' },
            { name: 'node', version: '^24.11.0', onFail: 'download' },
          ],
          packageManager: { name: 'pnpm', version: '10.x', onFail: 'error' },
        },
      },
    });
    expect(pins.problems).toEqual([]);
    expect(pins.node).toMatchObject({ exact: undefined, source: { key: 'devEngines.runtime', onFail: 'download' } });
    expect(pins.pnpm!.source).toMatchObject({ key: 'devEngines.packageManager', onFail: 'error', raw: '10.x' });
    expect(pinnedPnpmMajor(pins)).toEqual({
      major: 10,
      source: 'package.json devEngines.packageManager',
      exact: false,
    });
  });

  it('reads .node-version and .nvmrc forms: v24, 24.11.0, with comments', () => {
    expect(repo({ '.nvmrc': 'v24\n' }).node).toMatchObject({
      exact: undefined,
      source: { file: '.nvmrc', range: '>=24.0.0 <25.0.0-0' },
    });
    expect(repo({ '.node-version': '# team node\n24.11.0\n' }).node).toMatchObject({
      exact: '24.11.0',
      source: { file: '.node-version' },
    });
  });

  it('says clearly that an lts/* alias is not something devkit provisions', () => {
    const alone = repo({ '.nvmrc': 'lts/*\n' });
    expect(alone.node).toBeUndefined();
    expect(alone.problems).toEqual([
      expect.objectContaining({ code: 'E_PIN_UNSUPPORTED', severity: 'error', tool: 'node' }),
    ]);
    expect(alone.problems[0]!.message).toContain('.nvmrc asks for node "lts/*"');
    // Another pin says which node: the alias is only a warning then.
    const beside = repo({ '.nvmrc': 'lts/*\n', '.node-version': '24.22.3' });
    expect(beside.node?.exact).toBe('24.22.3');
    expect(beside.problems.map((p) => [p.code, p.severity])).toEqual([['E_PIN_UNSUPPORTED', 'warning']]);
  });

  it('reads devkit.json toolchain and engines; engines alone are constraints', () => {
    const pins = repo(
      { 'package.json': { engines: { node: '>=22.13', pnpm: '>=9' } } },
      { toolchain: { pnpm: '10.x' } },
    );
    expect(pins.node).toMatchObject({ constraintOnly: true, source: { key: 'engines.node', strength: 'constraint' } });
    expect(pins.pnpm).toMatchObject({ constraintOnly: false, source: { file: 'devkit.json', key: 'toolchain.pnpm' } });
    expect(satisfiesPins(pins.pnpm!, '10.34.9')).toBe(true);
    expect(satisfiesPins(pins.pnpm!, '11.0.0')).toBe(false);
    expect(newestSatisfying(pins.pnpm!, ['9.15.9', '10.2.0', '10.34.9', '11.28.13'])).toBe('10.34.9');
  });

  it("reads pnpm's own useNodeVersion and executionEnv.nodeVersion", () => {
    expect(repo({ 'pnpm-workspace.yaml': 'packages:\n  - a\nuseNodeVersion: 22.23.5\n' }).node?.source).toMatchObject({
      file: 'pnpm-workspace.yaml',
      key: 'useNodeVersion',
      exact: '22.23.5',
    });
    expect(repo({ 'pnpm-workspace.yaml': "executionEnv:\n  nodeVersion: '24.22.3'\n" }).node?.source).toMatchObject({
      key: 'executionEnv.nodeVersion',
      exact: '24.22.3',
    });
    expect(repo({ '.npmrc': 'use-node-version=22.23.5\n' }).node?.source).toMatchObject({
      file: '.npmrc',
      exact: '22.23.5',
    });
  });

  it('names both files when the pins disagree', () => {
    const pins = repo({ 'package.json': { packageManager: 'pnpm@11.19.0' } }, { toolchain: { pnpm: '10.x' } });
    expect(pins.problems).toHaveLength(1);
    expect(pins.problems[0]).toMatchObject({ code: 'E_PINS_DISAGREE', severity: 'error', tool: 'pnpm' });
    expect(pins.problems[0]!.message).toBe(
      'package.json packageManager pins pnpm 11.19.0 but devkit.json toolchain.pnpm asks for pnpm 10.x: the pins in package.json and devkit.json disagree',
    );
    expect(pinnedPnpmMajor(pins)).toBeUndefined();
  });

  it('finds disagreement inside package.json, and between two exact node pins', () => {
    const pnpm = repo({
      'package.json': {
        packageManager: 'pnpm@11.19.0',
        devEngines: { packageManager: { name: 'pnpm', version: '^10.0.0' } },
      },
    });
    expect(pnpm.problems[0]!.message).toContain('package.json (packageManager and devEngines.packageManager) disagree');
    const node = repo({ '.node-version': '24.22.3', '.nvmrc': '22.23.5' });
    expect(node.problems.map((p) => p.code)).toEqual(['E_PINS_DISAGREE']);
    expect(node.problems[0]!.message).toContain('.node-version and .nvmrc');
  });

  it('treats an exact pin outside engines as disagreement, and one inside as the decision', () => {
    expect(
      repo({ 'package.json': { packageManager: 'pnpm@10.34.9', engines: { pnpm: '>=11' } } }).problems.map(
        (p) => p.code,
      ),
    ).toEqual(['E_PINS_DISAGREE']);
    const ok = repo({ 'package.json': { engines: { node: '>=22.13' } }, '.node-version': '24.22.3' });
    expect(ok.problems).toEqual([]);
    expect(ok.node).toMatchObject({ exact: '24.22.3', constraintOnly: false });
  });

  it('reports a pin that is no version at all', () => {
    const pins = repo({}, { toolchain: { node: 'twenty' } });
    expect(pins.problems).toEqual([expect.objectContaining({ code: 'E_TOOLCHAIN_RANGE', severity: 'error' })]);
  });

  it('reads an open pnpm range as the newest major it allows', () => {
    expect(pinnedPnpmMajor(repo({ 'package.json': { engines: { pnpm: '>=9' } } }))).toEqual({
      major: 12,
      source: 'package.json engines.pnpm',
      exact: false,
    });
  });
});
