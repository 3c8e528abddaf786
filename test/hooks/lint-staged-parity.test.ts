// lint-staged 16.4.0 (the root devDependency) is the oracle: for each config form it runs on the
// same staged set in a real git repo as devkit's pre-commit hook, and both must start the same
// commands on the same files in the same folders, with the same verdict. The commands are
// `tasklog <name>`, a program on PATH that appends its argv and cwd to a log file.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEVKIT_BIN,
  REPO_ROOT,
  cleanupTempDirs,
  git,
  gitInit,
  provisionNode,
  tempDir,
  writeFiles,
} from '@devkit/test-utils';
import { cleanEnv, devkit } from './repo.js';

afterAll(cleanupTempDirs);

const LINT_STAGED = join(REPO_ROOT, 'node_modules/lint-staged/bin/lint-staged.js');

/** Appends {name, files, cwd} to $PARITY_LOG; a name starting with "fail" exits 1. */
const TASKLOG = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const [name, ...files] = process.argv.slice(2);
appendFileSync(process.env.PARITY_LOG, JSON.stringify({ name, files, cwd: process.cwd() }) + '\\n');
if (name.startsWith('fail')) process.exitCode = 1;
`;

interface Invocation {
  name: string;
  files: string[];
  cwd: string;
}

interface Outcome {
  ok: boolean;
  ran: Invocation[];
  output: string;
}

/** A repo with devkit.json running only lint-staged, the given files committed, then `staged` written and staged. */
function makeRepo(committed: Record<string, string | object>, staged: Record<string, string | object>): string {
  const repo = tempDir('devkit-parity-');
  gitInit(repo);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(repo, 'node_modules'));
  writeFiles(repo, {
    '.gitignore': 'node_modules\n.devkit/\n',
    'devkit.json': { hooks: { 'pre-commit': ['lint-staged'] } },
    ...(committed['package.json'] ? {} : { 'package.json': { name: 'parity', private: true, type: 'module' } }),
    ...committed,
  });
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'initial', '--no-verify');
  writeFiles(repo, staged);
  git(repo, 'add', '--', ...Object.keys(staged));
  return repo;
}

function toolsDir(): string {
  const bin = tempDir('devkit-parity-bin-');
  writeFiles(bin, { tasklog: TASKLOG });
  chmodSync(join(bin, 'tasklog'), 0o755);
  return bin;
}

function readLog(repo: string, log: string): Invocation[] {
  if (!existsSync(log)) return [];
  const top = realpathSync(repo);
  const rel = (path: string) => relative(top, realpathSync(path)).split('\\').join('/') || '.';
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Invocation)
    .map((run) => ({ name: run.name, files: run.files.map(rel), cwd: rel(run.cwd) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Runs devkit's hook, then lint-staged, on the same staged set; both logs and verdicts. */
async function runBoth(repo: string): Promise<{ devkit: Outcome; lintStaged: Outcome }> {
  const bin = toolsDir();
  const logs = tempDir('devkit-parity-log-');
  const env = (log: string) => ({ PARITY_LOG: join(logs, log), PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` });
  const index = git(repo, 'diff', '--cached', '--name-only');

  const dk = await devkit(['hooks', 'run', 'pre-commit'], repo, env('devkit.log'));
  expect(dk.exitCode === 0 || dk.exitCode === 1, `devkit: ${dk.exitCode}\n${dk.stdout}${dk.stderr}`).toBe(true);
  // devkit writes nothing here, so lint-staged sees the very same index.
  expect(git(repo, 'diff', '--cached', '--name-only')).toBe(index);

  const ls = spawnSync(process.execPath, [LINT_STAGED], {
    cwd: repo,
    env: cleanEnv(env('lint-staged.log')),
    encoding: 'utf8',
  });
  return {
    devkit: { ok: dk.exitCode === 0, ran: readLog(repo, join(logs, 'devkit.log')), output: dk.stdout + dk.stderr },
    lintStaged: {
      ok: ls.status === 0,
      ran: readLog(repo, join(logs, 'lint-staged.log')),
      output: `${ls.stdout}${ls.stderr}`,
    },
  };
}

async function expectParity(repo: string, expected: { ok: boolean; ran: Invocation[] }): Promise<void> {
  const { devkit: dk, lintStaged: ls } = await runBoth(repo);
  const sorted = [...expected.ran].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  // The oracle first: the expectation is lint-staged's own behaviour, not a guess.
  expect({ ok: ls.ok, ran: ls.ran }, `lint-staged:\n${ls.output}`).toEqual({ ok: expected.ok, ran: sorted });
  expect({ ok: dk.ok, ran: dk.ran }, `devkit:\n${dk.output}`).toEqual({ ok: ls.ok, ran: ls.ran });
}

// One config, written in every form lint-staged 16 reads.
const CONFIG = { '*.js': 'tasklog js', 'docs/*.md': ['tasklog md-1', 'tasklog md-2'], '*.{txt}': 'tasklog txt' };
const YAML = `'*.js': tasklog js\n'docs/*.md':\n  - tasklog md-1\n  - tasklog md-2\n'*.{txt}': tasklog txt\n`;
const STAGED = {
  '.hidden/c.js': 'c\n',
  'docs/x.md': '# x\n',
  'docs/deep/y.md': '# y\n',
  'notes.txt': 'notes\n',
  'src/a.js': 'a\n',
  'src/deep/b.js': 'b\n',
  'src/skip.ts': 'skip\n',
};
const CONFIG_RAN: Invocation[] = [
  { name: 'js', files: ['.hidden/c.js', 'src/a.js', 'src/deep/b.js'], cwd: '.' },
  { name: 'md-1', files: ['docs/x.md'], cwd: '.' },
  { name: 'md-2', files: ['docs/x.md'], cwd: '.' },
  { name: 'txt', files: ['notes.txt'], cwd: '.' },
];
const TS_CONFIG = `type Tasks = Record<string, string | string[]>;\nconst config: Tasks = ${JSON.stringify(CONFIG)};\n`;

const FORMS: Record<string, Record<string, string | object>> = {
  'package.json "lint-staged"': {
    'package.json': { name: 'parity', private: true, type: 'module', 'lint-staged': CONFIG },
  },
  'package.yaml "lint-staged"': { 'package.yaml': `name: parity\nlint-staged:\n${YAML.replace(/^/gm, '  ')}` },
  '.lintstagedrc (JSON)': { '.lintstagedrc': JSON.stringify(CONFIG) },
  '.lintstagedrc (YAML)': { '.lintstagedrc': YAML },
  '.lintstagedrc.json': { '.lintstagedrc.json': CONFIG },
  '.lintstagedrc.yaml': { '.lintstagedrc.yaml': YAML },
  '.lintstagedrc.yml': { '.lintstagedrc.yml': YAML },
  '.lintstagedrc.mjs': { '.lintstagedrc.mjs': `export default ${JSON.stringify(CONFIG)};\n` },
  '.lintstagedrc.js': { '.lintstagedrc.js': `export default ${JSON.stringify(CONFIG)};\n` },
  '.lintstagedrc.cjs': { '.lintstagedrc.cjs': `module.exports = ${JSON.stringify(CONFIG)};\n` },
  '.lintstagedrc.ts': { '.lintstagedrc.ts': `${TS_CONFIG}export default config;\n` },
  '.lintstagedrc.mts': { '.lintstagedrc.mts': `${TS_CONFIG}export default config;\n` },
  '.lintstagedrc.cts': { '.lintstagedrc.cts': `${TS_CONFIG}module.exports = config;\n` },
  'lint-staged.config.mjs': { 'lint-staged.config.mjs': `export default ${JSON.stringify(CONFIG)};\n` },
  'lint-staged.config.js': { 'lint-staged.config.js': `export default ${JSON.stringify(CONFIG)};\n` },
  'lint-staged.config.cjs': { 'lint-staged.config.cjs': `module.exports = ${JSON.stringify(CONFIG)};\n` },
  'lint-staged.config.ts': { 'lint-staged.config.ts': `${TS_CONFIG}export default config;\n` },
  'lint-staged.config.mts': { 'lint-staged.config.mts': `${TS_CONFIG}export default config;\n` },
  'lint-staged.config.cts': { 'lint-staged.config.cts': `${TS_CONFIG}module.exports = config;\n` },
};

describe('lint-staged parity: devkit runs what lint-staged 16.4.0 runs', () => {
  it.each(Object.keys(FORMS))('%s', async (form) => {
    const repo = makeRepo(FORMS[form]!, STAGED);
    await expectParity(repo, { ok: true, ran: CONFIG_RAN });
  });

  // Three packages with configs of their own (and one without), under a root config.
  const WORKSPACE = {
    '.lintstagedrc.json': { '*.md': 'tasklog root-md', '*.js': 'tasklog root-js' },
    'packages/a/package.json': { name: 'a' },
    'packages/a/.lintstagedrc.yaml': "src/*.js: tasklog a-src\n'*.json': tasklog a-json\n",
    'packages/b/package.json': { name: 'b', 'lint-staged': { '*.js': ['tasklog b-1', 'tasklog b-2'] } },
    'packages/c/lint-staged.config.mjs':
      "export default {\n  '*.ts': (files) => files.map((file) => `tasklog c-fn ${file}`),\n  '*.md': 'tasklog c-md',\n};\n",
    'packages/d/package.json': { name: 'd' },
  };

  it('nested per-package configs: the closest config wins, its globs and commands work from its folder', async () => {
    const repo = makeRepo(WORKSPACE, {
      'README.md': '# r\n',
      'scripts/x.js': 'x\n',
      'packages/a/src/a.js': 'a\n',
      'packages/a/lib/l.js': 'l\n',
      'packages/a/package.json': { name: 'a', version: '1.0.0' },
      'packages/b/index.js': 'b\n',
      'packages/b/deep/d.js': 'd\n',
      'packages/c/m.ts': 'm\n',
      'packages/c/README.md': '# c\n',
      'packages/d/other.js': 'o\n',
    });
    await expectParity(repo, {
      ok: true,
      ran: [
        { name: 'root-md', files: ['README.md'], cwd: '.' },
        { name: 'root-js', files: ['packages/d/other.js', 'scripts/x.js'], cwd: '.' },
        { name: 'a-src', files: ['packages/a/src/a.js'], cwd: 'packages/a' },
        { name: 'a-json', files: ['packages/a/package.json'], cwd: 'packages/a' },
        { name: 'b-1', files: ['packages/b/deep/d.js', 'packages/b/index.js'], cwd: 'packages/b' },
        { name: 'b-2', files: ['packages/b/deep/d.js', 'packages/b/index.js'], cwd: 'packages/b' },
        { name: 'c-fn', files: ['packages/c/m.ts'], cwd: 'packages/c' },
        { name: 'c-md', files: ['packages/c/README.md'], cwd: 'packages/c' },
      ],
    });
  });

  it('nested configs, one package staged: the other configs still make it work from its folder', async () => {
    const repo = makeRepo(WORKSPACE, { 'packages/a/src/a.js': 'a\n', 'packages/a/lib/l.js': 'l\n' });
    await expectParity(repo, { ok: true, ran: [{ name: 'a-src', files: ['packages/a/src/a.js'], cwd: 'packages/a' }] });
  });

  it('a single config in a package: lint-staged then matches and runs from the root', async () => {
    const repo = makeRepo(
      { 'packages/a/.lintstagedrc.json': { 'src/*.js': 'tasklog a-src', '*.js': 'tasklog a-js' } },
      { 'packages/a/src/a.js': 'a\n', 'other/o.js': 'o\n' },
    );
    await expectParity(repo, { ok: true, ran: [{ name: 'a-js', files: ['packages/a/src/a.js'], cwd: '.' }] });
  });

  it('a function config gets every staged file; the commands it returns run as they are', async () => {
    const repo = makeRepo(
      {
        'lint-staged.config.mjs':
          "export default async (files) => [`tasklog all ${files.join(' ')}`, ...files.filter((f) => f.endsWith('.md')).map((f) => `tasklog md ${f}`)];\n",
      },
      { 'src/a.js': 'a\n', 'README.md': '# r\n', '.env.example': 'A=1\n' },
    );
    await expectParity(repo, {
      ok: true,
      ran: [
        { name: 'all', files: ['.env.example', 'README.md', 'src/a.js'], cwd: '.' },
        { name: 'md', files: ['README.md'], cwd: '.' },
      ],
    });
  });

  it('an object task ({ title, task }) runs in-process on the matched files, beside command tasks', async () => {
    const repo = makeRepo(
      {
        '.lintstagedrc.mjs': `import { appendFileSync } from 'node:fs';
export default {
  '*.js': { title: 'object task', task: async (files) => appendFileSync(process.env.PARITY_LOG, JSON.stringify({ name: 'object', files, cwd: process.cwd() }) + '\\n') },
  '*.md': ['tasklog md'],
};
`,
      },
      { 'src/a.js': 'a\n', 'lib/b.js': 'b\n', 'README.md': '# r\n' },
    );
    await expectParity(repo, {
      ok: true,
      ran: [
        { name: 'object', files: ['lib/b.js', 'src/a.js'], cwd: '.' },
        { name: 'md', files: ['README.md'], cwd: '.' },
      ],
    });
  });

  it('a failing task fails the run and stops the tasks after it in its glob', async () => {
    const repo = makeRepo(
      { '.lintstagedrc.json': { '*.js': ['tasklog first', 'tasklog fail-second', 'tasklog third'] } },
      { 'src/a.js': 'a\n' },
    );
    await expectParity(repo, {
      ok: false,
      ran: [
        { name: 'first', files: ['src/a.js'], cwd: '.' },
        { name: 'fail-second', files: ['src/a.js'], cwd: '.' },
      ],
    });
  });

  it('a config with a ../ glob takes every file no config before it took, and matches them from its folder', async () => {
    const repo = makeRepo(
      {
        'packages/b/package.json': { name: 'b', 'lint-staged': { '*.js': 'tasklog b-js' } },
        'packages/docs/package.json': { name: 'docs', 'lint-staged': { '../../*.md': 'tasklog docs-md' } },
      },
      { 'README.md': '# r\n', 'packages/b/x.js': 'x\n', 'packages/docs/guide.md': '# g\n', 'other/y.js': 'y\n' },
    );
    await expectParity(repo, {
      ok: true,
      ran: [
        { name: 'b-js', files: ['packages/b/x.js'], cwd: 'packages/b' },
        { name: 'docs-md', files: ['README.md'], cwd: 'packages/docs' },
      ],
    });
  });

  it("eslint in a package's config works from the package's folder: its own ESLint config applies (in-process in devkit)", async () => {
    const repo = makeRepo(
      {
        'eslint.config.js': "export default [{ files: ['**/*.js'], rules: {} }];\n",
        '.lintstagedrc.json': { '*.md': 'tasklog md' },
        'packages/a/eslint.config.js':
          "export default [{ files: ['**/*.js'], rules: { semi: ['error', 'always'] } }];\n",
        'packages/a/.lintstagedrc.json': { '*.js': ['eslint --max-warnings=0', 'tasklog after-eslint'] },
      },
      { 'packages/a/x.js': 'export const x = 1\n', 'README.md': '# r\n' },
    );
    await expectParity(repo, { ok: false, ran: [{ name: 'md', files: ['README.md'], cwd: '.' }] });
  });
});

describe('what devkit refuses rather than skipping', () => {
  it('a config without a default export is exit 2 naming it', async () => {
    const repo = makeRepo(
      { 'lint-staged.config.mjs': "export const config = { '*.js': 'tasklog js' };\n" },
      {
        'src/a.js': 'a\n',
      },
    );
    const run = await devkit(['hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain('lint-staged.config.mjs has no default export, so it configures nothing');
  });

  it('a config nested in a package that does not load is exit 2 naming its path', async () => {
    const repo = makeRepo({ 'packages/a/.lintstagedrc.cjs': 'module.exports = {\n' }, { 'packages/a/x.js': 'x\n' });
    const run = await devkit(['hooks', 'run', 'pre-commit'], repo);
    expect(run.exitCode, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain('packages/a/.lintstagedrc.cjs could not be loaded');
  });
});

describe('TypeScript configs on a Node without type stripping (22.13, the oldest devkit runs on)', () => {
  it('is exit 2 naming the config and the ways out; with --experimental-strip-types it runs', async () => {
    const node = await provisionNode('22.13.1');
    const repo = makeRepo({ 'lint-staged.config.ts': `${TS_CONFIG}export default config;\n` }, { 'src/a.js': 'a\n' });
    const bin = toolsDir();
    const log = join(tempDir('devkit-parity-log-'), 'devkit.log');
    const env = (extra: Record<string, string> = {}) =>
      cleanEnv({ PARITY_LOG: log, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, ...extra });
    const refused = spawnSync(node, [DEVKIT_BIN, 'hooks', 'run', 'pre-commit'], {
      cwd: repo,
      env: env(),
      encoding: 'utf8',
    });
    expect(refused.status, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      "lint-staged.config.ts is TypeScript, and this Node (v22.13.1) does not run TypeScript: lint-staged loads it with Node's type stripping, which is off here",
    );
    expect(refused.stderr).toContain('NODE_OPTIONS=--experimental-strip-types');
    expect(existsSync(log)).toBe(false);

    const stripped = spawnSync(node, [DEVKIT_BIN, 'hooks', 'run', 'pre-commit'], {
      cwd: repo,
      env: env({ NODE_OPTIONS: '--experimental-strip-types --no-warnings=ExperimentalWarning' }),
      encoding: 'utf8',
    });
    expect(stripped.status, stripped.stdout + stripped.stderr).toBe(0);
    expect(readLog(repo, log)).toEqual([{ name: 'js', files: ['src/a.js'], cwd: '.' }]);
  });
});
