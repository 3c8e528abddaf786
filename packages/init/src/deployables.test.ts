import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { inferDeployables } from './deployables.js';

afterAll(cleanupTempDirs);

describe('inferDeployables', () => {
  it('apps/* and workspace packages with a start script; libraries, excluded globs and node_modules are not', async () => {
    const root = tempDir();
    writeFiles(root, {
      'package.json': { name: 'root', scripts: { start: 'node server.js' } },
      'pnpm-workspace.yaml':
        "packages:\n  - 'apps/*'\n  - 'packages/*'\n  - 'services/**'\n  - '!services/legacy/**'\n",
      'apps/web/package.json': { name: 'web', scripts: { build: 'vite build' } },
      'apps/api/package.json': { name: 'api', scripts: { start: 'node .' } },
      'packages/ui/package.json': { name: 'ui', scripts: { build: 'tsc' } },
      'packages/worker/package.json': { name: 'worker', scripts: { start: 'node worker.js' } },
      'services/billing/package.json': { name: 'billing', scripts: { start: 'node .' } },
      'services/legacy/old/package.json': { name: 'old', scripts: { start: 'node .' } },
      'packages/worker/node_modules/dep/package.json': { name: 'dep', scripts: { start: 'x' } },
    });
    const result = await inferDeployables(root);
    expect(result.deployables).toEqual(['apps/api', 'apps/web', 'packages/worker', 'services/billing']);
    expect(result.reasons['apps/api']).toBe('in apps/, has a start script');
    expect(result.reasons['packages/worker']).toBe('has a start script');
  });

  it('two folders with the same artifact name: the second is noted, not added', async () => {
    const root = tempDir();
    writeFiles(root, {
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - tools/*\n',
      'apps/api/package.json': { name: 'api' },
      'tools/API/package.json': { name: 'api2', scripts: { start: 'node .' } },
      'apps/Bad Name/package.json': { name: 'bad' },
    });
    const result = await inferDeployables(root);
    expect(result.deployables).toEqual(['apps/api']);
    expect(result.notes).toEqual([
      'apps/Bad Name: its artifact name would be "bad name", which is not valid (lower-case letters, digits, . _ -): not added',
      `tools/API: its artifact name "api" is also apps/api's: not added (rename one folder to add both)`,
    ]);
  });

  it('a repo without apps/ or runnable packages has none', async () => {
    const root = tempDir();
    writeFiles(root, { 'package.json': { name: 'x' } });
    expect((await inferDeployables(root)).deployables).toEqual([]);
  });
});
