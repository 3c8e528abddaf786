import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockfileNodeRuntime, readPins } from './pins.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(files: Record<string, string | object>) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-runtime-pins-')));
  made.push(root);
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
  return readPins(root, {});
}

// The shape pnpm 10.14+ writes for a `runtime:` dependency (devEngines.runtime, onFail download).
const LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    devDependencies:
      node:
        specifier: runtime:^24.4.0
        version: runtime:24.22.3

  packages/api:
    devDependencies:
      node:
        specifier: runtime:^22.0.0
        version: runtime:22.23.5

packages:

  node@runtime:24.22.3:
    resolution: {type: variations, variants: []}
`;

describe('runtimes pnpm downloads itself', () => {
  it("reads the root importer's resolved runtime, not a workspace package's", () => {
    expect(lockfileNodeRuntime(LOCKFILE)).toBe('24.22.3');
    expect(
      lockfileNodeRuntime(
        LOCKFILE.replace('  .:\n    devDependencies:\n      node:', '  .:\n    devDependencies:\n      nodemon:'),
      ),
    ).toBeUndefined();
    expect(lockfileNodeRuntime(undefined)).toBeUndefined();
  });

  it('pins the exact node the lockfile resolved a devEngines.runtime range to, when pnpm downloads it', () => {
    const pins = repo({
      'package.json': { devEngines: { runtime: { name: 'node', version: '^24.4.0', onFail: 'download' } } },
      'pnpm-lock.yaml': LOCKFILE,
    });
    expect(pins.problems).toEqual([]);
    expect(pins.node).toMatchObject({ exact: '24.22.3', source: { file: 'pnpm-lock.yaml' } });
  });

  it('ignores the lockfile when pnpm does not download the runtime', () => {
    const pins = repo({
      'package.json': { devEngines: { runtime: { name: 'node', version: '^24.4.0', onFail: 'error' } } },
      'pnpm-lock.yaml': LOCKFILE,
    });
    expect(pins.node).toMatchObject({ exact: undefined, source: { key: 'devEngines.runtime' } });
  });

  it("reads pnpm 11's engines.runtime too, and a lockfile outside the range is disagreement", () => {
    const pins = repo({
      'package.json': { engines: { runtime: { name: 'node', version: '^26.0.0', onFail: 'download' } } },
      'pnpm-lock.yaml': LOCKFILE,
    });
    expect(pins.problems.map((p) => p.code)).toEqual(['E_PINS_DISAGREE']);
    expect(pins.problems[0]!.message).toContain('package.json engines.runtime asks for node ^26.0.0');
  });
});
