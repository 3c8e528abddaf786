import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanupTempDirs, git } from '@devkit/test-utils';
import { commit, committed, headSubject, installHooks, makeRepo } from './repo.js';

afterAll(cleanupTempDirs);

describe("devkit's own hook on devkit's own ESLint config (typescript-eslint)", () => {
  it('the committed .husky/pre-commit calls devkit hooks run pre-commit', () => {
    expect(readFileSync(join(REPO_ROOT, '.husky/pre-commit'), 'utf8')).toContain('devkit hooks run pre-commit "$@"');
  });

  it('passes a clean source file, fixes a type import, blocks a rule of ours with file:line and rule', async () => {
    // The config and the local rules it loads (the layering rule and the package order).
    const repo = makeRepo({
      'eslint.config.js': readFileSync(join(REPO_ROOT, 'eslint.config.js'), 'utf8'),
      ...Object.fromEntries(
        readdirSync(join(REPO_ROOT, 'tools/eslint'))
          .filter((name) => name.endsWith('.js'))
          .map((name) => [`tools/eslint/${name}`, readFileSync(join(REPO_ROOT, 'tools/eslint', name), 'utf8')]),
      ),
    });
    mkdirSync(join(repo, 'packages/hooks/src'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'packages/hooks/src/staged.ts'), join(repo, 'packages/hooks/src/staged.ts'));
    await installHooks(repo);
    git(repo, 'add', 'packages/hooks/src/staged.ts');
    const clean = commit(repo);
    expect(clean.status, clean.output).toBe(0);

    // consistent-type-imports is fixable: the commit goes through with the fixed import.
    writeFileSync(
      join(repo, 'packages/hooks/src/fixable.ts'),
      "import { StagedFile } from './staged.js';\nexport const isNew = (f: StagedFile): boolean => f.status === 'A';\n",
    );
    git(repo, 'add', 'packages/hooks/src/fixable.ts');
    const fixed = commit(repo);
    expect(fixed.status, fixed.output).toBe(0);
    expect(committed(repo, 'packages/hooks/src/fixable.ts')).toContain(
      "import { type StagedFile } from './staged.js';",
    );

    writeFileSync(
      join(repo, 'packages/hooks/src/bad.ts'),
      "import { readFileSync } from 'fs';\nexport const read = (p: string): string => readFileSync(p, 'utf8');\n",
    );
    git(repo, 'add', 'packages/hooks/src/bad.ts');
    const blocked = commit(repo);
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain(
      "packages/hooks/src/bad.ts:1:1  error  'fs' import is restricted from being used. Use node:fs.  no-restricted-imports",
    );
    expect(headSubject(repo)).toBe('change');
  });
});
