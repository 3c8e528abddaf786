import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, gitInit, tempDir, writeFiles } from '@devkit/test-utils';
import { findLintStagedConfigs, loadLintStagedConfig, toEntries } from './lint-staged-config.js';

afterAll(cleanupTempDirs);

describe('loadLintStagedConfig', () => {
  it('reads a YAML .lintstagedrc.yaml: a command or a list of commands per glob', async () => {
    const repo = tempDir();
    writeFiles(repo, {
      '.lintstagedrc.yaml': "'*.{ts,js}':\n  - eslint --fix\n  - prettier --write\n'*.md': prettier --write\n",
    });
    expect(await loadLintStagedConfig(repo)).toEqual({
      file: '.lintstagedrc.yaml',
      dir: '',
      entries: [
        { glob: '*.{ts,js}', tasks: ['eslint --fix', 'prettier --write'] },
        { glob: '*.md', tasks: ['prettier --write'] },
      ],
    });
  });

  it('reads a .lintstagedrc written in YAML, and names the file when the YAML is broken', async () => {
    const repo = tempDir();
    writeFiles(repo, { '.lintstagedrc': '"*.ts": eslint\n' });
    expect(await loadLintStagedConfig(repo)).toEqual({
      file: '.lintstagedrc',
      dir: '',
      entries: [{ glob: '*.ts', tasks: ['eslint'] }],
    });
    const broken = tempDir();
    writeFiles(broken, { '.lintstagedrc.yml': "'*.ts': [eslint\n" });
    await expect(loadLintStagedConfig(broken)).rejects.toMatchObject({
      code: 'E_LINT_STAGED_CONFIG',
      message: expect.stringMatching(/^\.lintstagedrc\.yml is not valid YAML/),
    });
  });
});

describe('findLintStagedConfigs (lint-staged 16 config discovery)', () => {
  it('finds tracked configs anywhere, untracked ones only beside staged files, manifests only with the key; deepest first', async () => {
    const repo = tempDir();
    gitInit(repo);
    writeFiles(repo, {
      'package.json': { name: 'root' },
      '.lintstagedrc.json': { '*.js': 'x' },
      'packages/a/package.json': { name: 'a', 'lint-staged': { '*.js': 'a' } },
      'packages/b/package.json': { name: 'b' },
      'packages/c/deep/lint-staged.config.mjs': 'export default {};\n',
    });
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'initial');
    // Not tracked: found only when a staged file is in its folder (the hook never walks the tree).
    writeFiles(repo, { 'packages/b/.lintstagedrc.yml': "'*': b\n", 'packages/e/.lintstagedrc': "'*': e\n" });
    const found = await findLintStagedConfigs(repo, { stagedPaths: ['packages/b/src/x.js'] });
    expect(found.map((f) => [f.file, f.dir])).toEqual([
      ['packages/c/deep/lint-staged.config.mjs', 'packages/c/deep'],
      ['packages/a/package.json', 'packages/a'],
      ['packages/b/.lintstagedrc.yml', 'packages/b'],
      ['.lintstagedrc.json', ''],
    ]);
    // Without staged paths, as lint-staged: untracked configs anywhere (not ignored) count too.
    expect((await findLintStagedConfigs(repo)).map((f) => f.file)).toContain('packages/e/.lintstagedrc');
  });

  it('validates as lint-staged does: an empty config, an object task without a function, a function config', () => {
    expect(() => toEntries('.lintstagedrc.json', {})).toThrow(
      '.lintstagedrc.json: expected at least one glob, found {}',
    );
    expect(() => toEntries('a.mjs', { '*.js': { title: 'x' } })).toThrow(
      'a.mjs key "*.js": expected a { title: string, task: function } object',
    );
    const fn = () => 'x';
    expect(toEntries('a.mjs', fn)).toEqual([{ glob: '*', tasks: [fn] }]);
    expect(toEntries('a.json', { '*.{js}': 'x' })).toEqual([{ glob: '*.js', tasks: ['x'] }]);
  });
});
