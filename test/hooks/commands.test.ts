import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git } from '@devkit/test-utils';
import { cleanEnv, commit, devkit, headSubject, installHooks, makeRepo } from './repo.js';

afterAll(cleanupTempDirs);

describe('command entries in devkit.json hooks, through real git commits', () => {
  it('pre-commit runs a command on the staged files its glob matches ({files}); a failure blocks with its output', async () => {
    const repo = makeRepo({
      'devkit.json': {
        hooks: {
          'pre-commit': [
            'lint-staged',
            { run: 'node check-txt.mjs {files}', glob: '*.txt', name: 'no TODO in notes' },
            { run: 'echo "$(git diff --cached --name-only | wc -l) staged" > .devkit-count' },
          ],
        },
      },
      'check-txt.mjs':
        "import { readFileSync } from 'node:fs';\nfor (const f of process.argv.slice(2)) if (readFileSync(f, 'utf8').includes('TODO')) { console.error(`${f}: TODO left`); process.exitCode = 1; }\n",
      '.gitignore': 'node_modules\n.devkit/\n.devkit-count\n',
    });
    await installHooks(repo);
    writeFileSync(join(repo, 'notes.txt'), 'TODO: write notes\n');
    writeFileSync(join(repo, 'other file.txt'), 'fine\n');
    git(repo, 'add', 'notes.txt', 'other file.txt');

    const json = await devkit(['--json', 'hooks', 'run', 'pre-commit'], repo);
    expect(json.exitCode, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as {
      checks: Array<{ name: string; status: string }>;
      findings: Array<{ check: string; code: string; message: string }>;
    };
    expect(report.checks.map((c) => [c.name, c.status])).toContainEqual(['no TODO in notes', 'failed']);
    const finding = report.findings.find((f) => f.check === 'no TODO in notes');
    expect(finding?.code).toBe('command-failed');
    expect(finding?.message).toContain('notes.txt: TODO left');

    const blocked = commit(repo);
    expect(blocked.status).toBe(1);
    expect(blocked.output).toContain('notes.txt: TODO left');
    expect(headSubject(repo)).toBe('hooks');

    writeFileSync(join(repo, 'notes.txt'), 'done\n');
    git(repo, 'add', 'notes.txt');
    const passed = commit(repo);
    expect(passed.status, passed.output).toBe(0);
    expect(headSubject(repo)).toBe('change');
  });

  it('commit-msg runs a command with the message file as $1', async () => {
    const repo = makeRepo({
      'devkit.json': {
        hooks: {
          'pre-commit': ['lint-staged'],
          'commit-msg': [
            { run: `grep -qE '^(feat|fix): ' "$1" || { echo "subject must start with feat: or fix:"; exit 1; }` },
          ],
        },
      },
    });
    await installHooks(repo, { commit: false });
    git(repo, 'add', '-A');
    const wip = commit(repo);
    expect(wip.status).toBe(1);
    expect(wip.output).toContain('subject must start with feat: or fix:');
    expect(headSubject(repo)).toBe('initial');
    const good = spawnSync('git', ['commit', '-m', 'feat: hooks'], { cwd: repo, encoding: 'utf8', env: cleanEnv() });
    expect(good.status, `${good.stdout}${good.stderr}`).toBe(0);
    expect(headSubject(repo)).toBe('feat: hooks');
  });
});
