import { describe, expect, it } from 'vitest';
import { describeInputsDiff } from './deployable-plan.js';
import { diffInputs, type InputsRecord } from './inputs.js';

describe('describeInputsDiff', () => {
  it('names each input that differs, one line each, and nothing for equal inputs', () => {
    const base: InputsRecord = {
      files: { 'apps/api/a.ts': '1', 'apps/api/b.ts': '2' },
      lockfile: { 'ms@2.1.3': 'x' },
      config: 'c',
      toolchain: { node: 'v20' },
      devkitVersion: '0.1.0',
      env: { API_URL: null },
    };
    const next: InputsRecord = {
      ...base,
      files: { 'apps/api/a.ts': '9', 'apps/api/c.ts': '3' },
      lockfile: {},
      config: 'd',
      toolchain: { node: 'v22' },
      devkitVersion: '0.2.0',
      env: { API_URL: 'sha256:1' },
    };
    expect(describeInputsDiff(diffInputs(base, next))).toEqual([
      'file changed: apps/api/a.ts',
      'file added: apps/api/c.ts',
      'file removed: apps/api/b.ts',
      'lockfile removed: ms@2.1.3',
      'devkit.json (toolchain, native or artifacts.env) changed',
      'toolchain node: v20 → v22',
      'devkit 0.1.0 → 0.2.0',
      'env API_URL: unset → set',
    ]);
    expect(describeInputsDiff(diffInputs(base, base))).toEqual([]);
  });
});
