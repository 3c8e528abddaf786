import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { mayImportDynamically } from './compile-cache.js';

afterAll(cleanupTempDirs);

describe('mayImportDynamically', () => {
  it('counts a call, not the word inside a string', () => {
    expect(mayImportDynamically('const m = await import(url);')).toBe(true);
    expect(mayImportDynamically('return import("./x.js")')).toBe(true);
    expect(mayImportDynamically('x = "a"; import(y)')).toBe(true);
    expect(mayImportDynamically('const msg = "use import() instead";')).toBe(false);
    expect(mayImportDynamically("d = 'typeof import(' + name")).toBe(false);
    expect(mayImportDynamically('s = `import(${q})`')).toBe(false);
    expect(mayImportDynamically('obj.import(x); reimport(y)')).toBe(false);
    expect(mayImportDynamically('const t = `a`; import(z)')).toBe(true);
  });
});

describe('enableCompileCache', () => {
  it('a second process loads the modules from the cache, with require, __dirname and import() intact', () => {
    const dir = tempDir('devkit-cc-');
    writeFiles(dir, {
      'node_modules/dep/package.json': { name: 'dep', main: 'index.js' },
      'node_modules/dep/index.js':
        "#!/usr/bin/env node\nmodule.exports = { dir: __dirname, name: require('./name.js'), resolved: require.resolve('./name.js'), dyn: require('./dyn.js') };\n",
      'node_modules/dep/name.js': "module.exports = 'dep-name';\n",
      'node_modules/dep/dyn.js': "module.exports = () => import('./esm.mjs');\n",
      'node_modules/dep/esm.mjs': 'export const ok = 42;\n',
      'node_modules/other/index.js': 'module.exports = 1;\n',
      'other.mts': `import { createRequire } from 'node:module';
import { enableCompileCache } from ${JSON.stringify(join(fileURLToPath(new URL('.', import.meta.url)), 'compile-cache.ts'))};
const cache = enableCompileCache(${JSON.stringify(join(dir, 'cache'))});
createRequire(${JSON.stringify(join(dir, 'x.js'))})('other');
await cache.save();
console.log(JSON.stringify(cache.stats()));
`,
      'run.mts': `import { createRequire } from 'node:module';
import { enableCompileCache } from ${JSON.stringify(join(fileURLToPath(new URL('.', import.meta.url)), 'compile-cache.ts'))};
const cache = enableCompileCache(${JSON.stringify(join(dir, 'cache'))});
const dep = createRequire(${JSON.stringify(join(dir, 'x.js'))})('dep');
const { ok } = await dep.dyn();
await cache.save();
console.log(JSON.stringify({ ...dep, dyn: undefined, ok, ...cache.stats() }));
`,
    });
    const run = (script = 'run.mts') =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', join(dir, script)], { cwd: REPO_ROOT, encoding: 'utf8' }),
      ) as Record<string, unknown>;
    const expected = {
      dir: join(dir, 'node_modules/dep'),
      name: 'dep-name',
      resolved: join(dir, 'node_modules/dep/name.js'),
      ok: 42,
    };
    // dyn.js calls import(): always left to Node, so two modules are cached.
    expect(run()).toEqual({ ...expected, hits: 0, misses: 2 });
    expect(existsSync(join(dir, 'cache'))).toBe(true);
    expect(run()).toEqual({ ...expected, hits: 2, misses: 0 });
    // A run that loads other modules adds them and keeps the first run's.
    expect(run('other.mts')).toEqual({ hits: 0, misses: 1 });
    expect(run('other.mts')).toEqual({ hits: 1, misses: 0 });
    expect(run()).toEqual({ ...expected, hits: 2, misses: 0 });
  });
});
