import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import { loadLintStagedConfig } from './lint-staged-config.js';

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
