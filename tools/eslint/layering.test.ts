import { join } from 'node:path';
import { ESLint, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@devkit/test-utils';
import { layeringRule } from './layering.js';
import { ORDER_TEXT } from './package-order.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
});
const at = (path: string) => join(REPO_ROOT, path);
const order = `The order is ${ORDER_TEXT}`;

tester.run('devkit/layering', layeringRule, {
  valid: [
    { filename: at('packages/config/src/load.ts'), code: "import { usageError } from '@devkit/core';" },
    {
      filename: at('packages/environments/src/promote.ts'),
      code: "import { OciStore } from '@devkit/artifact';\nimport { pushArtifact } from '@devkit/registry';",
    },
    { filename: at('packages/registry/src/push.ts'), code: "import type { LockfileFinding } from '@devkit/lockfile';" },
    {
      filename: at('packages/cli/src/handlers/build.ts'),
      code: "const { runBuild } = await import('@devkit/environments');",
    },
    {
      filename: at('packages/hooks/src/run-tasks.ts'),
      code: "import { writeKeepingMode } from './working-copy.js';\nimport { x } from '../package.json';",
    },
    { filename: at('packages/hooks/src/run-tasks.test.ts'), code: "import { tempDir } from '@devkit/test-utils';" },
    {
      filename: at('test/artifact/promote.test.ts'),
      code: "import { withPostgresLock } from '@devkit/environments';\nimport { fixtureRepo } from './helpers.js';",
    },
    {
      filename: at('packages/native/src/images.ts'),
      code: "const dir = new URL('../../../docker/', import.meta.url);",
    },
  ],
  invalid: [
    {
      name: 'a capability importing one above it in its chain',
      filename: at('packages/artifact/src/store.ts'),
      code: "import { promote } from '@devkit/environments';",
      errors: [
        {
          message: `@devkit/artifact may not import @devkit/environments: @devkit/environments may import @devkit/artifact (artifact ← environments), not the other way round. ${order}`,
        },
      ],
    },
    {
      name: 'an import type against the order',
      filename: at('packages/core/src/errors.ts'),
      code: "import type { DevkitConfig } from '@devkit/config';",
      errors: [
        {
          message: `@devkit/core may not import @devkit/config: @devkit/config (config) may import @devkit/core (core), not the other way round. ${order}`,
        },
      ],
    },
    {
      name: 'a dynamic import against the order',
      filename: at('packages/config/src/load.ts'),
      code: "export const load = () => import('@devkit/cli');",
      errors: [
        {
          message:
            /^@devkit\/config may not import @devkit\/cli: @devkit\/cli \(cli\) may import @devkit\/config \(config\)/,
        },
      ],
    },
    {
      name: 'a re-export and a typeof import() between unrelated capabilities',
      filename: at('packages/hooks/src/index.ts'),
      code: "export { buildNative } from '@devkit/native';\nexport type Api = typeof import('@devkit/services');",
      errors: [
        {
          message:
            /^@devkit\/hooks may not import @devkit\/native: capabilities import each other only along declared edges \(lockfile ← artifact ← registry ← environments, lockfile ← toolchain ← init, hooks ← init\)/,
        },
        {
          message:
            /^@devkit\/hooks may not import @devkit\/services: capabilities import each other only along declared edges/,
        },
      ],
    },
    {
      name: 'test-utils from a package source',
      filename: at('packages/services/src/ports.ts'),
      code: "import { tempDir } from '@devkit/test-utils';",
      errors: [
        {
          message:
            "@devkit/test-utils is for tests only (*.test.ts, test/, bench/): @devkit/services's sources may not import it",
        },
      ],
    },
    {
      name: 'a package test importing a package above its own',
      filename: at('packages/artifact/src/store.test.ts'),
      code: "import { pushArtifact } from '@devkit/registry';",
      errors: [
        {
          message:
            /^@devkit\/artifact may not import @devkit\/registry: @devkit\/registry may import @devkit\/artifact/,
        },
      ],
    },
    {
      name: 'relative imports into another package, from a package and from test/',
      filename: at('packages/hooks/src/run-checks.ts'),
      code: "import { x } from '../../core/src/index.js';\nimport type { Y } from '../../../packages/config/src/schema.js';",
      errors: [
        { message: 'Import @devkit/core by name ("@devkit/core"), not by a relative path into packages/' },
        { message: 'Import @devkit/config by name ("@devkit/config"), not by a relative path into packages/' },
      ],
    },
    {
      name: 'a relative import from test/ into a package',
      filename: at('test/hooks/lint.test.ts'),
      code: "const m = await import('../../packages/hooks/src/index.js');",
      errors: [{ message: 'Import @devkit/hooks by name ("@devkit/hooks"), not by a relative path into packages/' }],
    },
    {
      name: 'a relative import leaving its package for another part of the repo',
      filename: at('packages/services/src/supervisor.ts'),
      code: "import { makeCheckout } from '../../../test/services/helpers.js';",
      errors: [
        {
          message:
            'A relative import may not leave @devkit/services (it reaches test/services/helpers.js); import other packages by name',
        },
      ],
    },
    {
      name: 'a package missing from the declared order',
      filename: at('packages/console/src/server.ts'),
      code: "import { usageError } from '@devkit/core';",
      errors: [
        {
          message: /^@devkit\/console is not in the declared package order: add it to tools\/eslint\/package-order.js/,
        },
      ],
    },
  ],
});

describe("the repo's ESLint config", () => {
  it('applies devkit/layering to package sources (and keeps a legal import clean)', async () => {
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const [bad] = await eslint.lintText(
      "import { OciStore } from '@devkit/artifact';\nexport const store = OciStore;\n",
      { filePath: at('packages/lockfile/src/check.ts') },
    );
    expect(bad!.messages.map((m) => [m.ruleId, m.message])).toEqual([
      [
        'devkit/layering',
        `@devkit/lockfile may not import @devkit/artifact: @devkit/artifact may import @devkit/lockfile (lockfile ← artifact), not the other way round. ${order}`,
      ],
    ]);
    const [good] = await eslint.lintText(
      "import { OciStore } from '@devkit/artifact';\nexport const store = OciStore;\n",
      { filePath: at('packages/registry/src/check.ts') },
    );
    expect(good!.messages).toEqual([]);
  }, 60_000);
});
