import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';
import { cleanEnv, makeRepo } from '../hooks/repo.js';

afterAll(cleanupTempDirs);

/** What GitHub Actions sets for a step: the flag, the workspace (the checkout) and a summary file. */
function actions(workspace: string): { env: Record<string, string>; summary: string } {
  const summary = join(tempDir('devkit-ci-summary-'), 'step-summary.md');
  return {
    summary,
    env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: workspace, GITHUB_STEP_SUMMARY: summary },
  };
}

function run(args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}) {
  return runDevkit(args, { cwd, env: { ...cleanEnv(), ...env } as Record<string, string | undefined> });
}

/** The workflow commands among a stream's lines. */
function workflowCommands(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('::'));
}

/** A workspace whose lockfile is what pnpm writes for it, one package and one importer. */
const LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}

  apps/api:
    dependencies:
      ms:
        specifier: ^2.1.3
        version: 2.1.3

packages:

  ms@2.1.3:
    resolution: {integrity: sha512-MMMM}

snapshots:

  ms@2.1.3: {}
`;

function lockfileWorkspace(files: Record<string, string | object> = {}): string {
  const dir = tempDir('devkit-ci-lockfile-');
  writeFiles(dir, {
    'package.json': { name: 'acme', private: true },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
    'apps/api/package.json': { name: '@acme/api', version: '1.0.0', dependencies: { ms: '^2.1.3' } },
    'pnpm-lock.yaml': LOCKFILE,
    ...files,
  });
  return dir;
}

describe('GitHub annotations and step summary', () => {
  it('a lint finding is an ::error at its file, line and column, and a row of the summary table', async () => {
    const repo = makeRepo();
    git(repo, 'branch', 'base');
    writeFileSync(join(repo, 'src/sneaky.js'), 'export const ok = 1;\nlet unused = 1\n');
    git(repo, 'add', 'src/sneaky.js');
    git(repo, 'commit', '-qm', 'sneaky', '--no-verify');
    const gh = actions(repo);

    const lint = await run(['lint', '--since', 'base'], repo, gh.env);
    expect(lint.exitCode).toBe(1);
    // The human report is still there, the annotations come after it.
    expect(lint.stdout).toContain('✗ lint: ');
    const commands = workflowCommands(lint.stdout);
    expect(commands).toContainEqual(
      expect.stringMatching(
        /^::error file=src\/sneaky\.js,line=2,col=5,title=[^:]*no-unused-vars::'unused' is assigned a value but never used\./,
      ),
    );
    expect(commands.every((c) => c.startsWith('::error file=src/sneaky.js,line=2,'))).toBe(true);
    const summary = readFileSync(gh.summary, 'utf8');
    expect(summary).toContain('### ❌ devkit lint: 3 findings');
    expect(summary).toMatch(
      /\| `src\/sneaky\.js` \| 2 \| no-unused-vars \| 'unused' is assigned a value but never used\. \|/,
    );

    // --json: stdout is the one JSON document, the annotations go to stderr; the summary is appended.
    const json = await run(['--json', 'lint', '--since', 'base'], repo, gh.env);
    expect(json.exitCode).toBe(1);
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    expect(workflowCommands(json.stderr)).toEqual(commands);
    expect(readFileSync(gh.summary, 'utf8').split('### ❌ devkit lint').length).toBe(3);

    // Outside GitHub Actions none of it, even with a summary file named.
    const plain = await run(['lint', '--since', 'base'], repo, { GITHUB_STEP_SUMMARY: gh.summary });
    expect(plain.exitCode).toBe(1);
    expect(workflowCommands(plain.stdout + plain.stderr)).toEqual([]);
    expect(readFileSync(gh.summary, 'utf8').split('### ❌ devkit lint').length).toBe(3);

    // A clean run annotates nothing and adds no summary.
    const clean = await run(['lint', '--since', 'HEAD'], repo, actions(repo).env);
    expect(clean.exitCode).toBe(0);
    expect(workflowCommands(clean.stdout + clean.stderr)).toEqual([]);
  });

  it('paths are relative to GITHUB_WORKSPACE when the repo is a folder inside it', async () => {
    const repo = makeRepo();
    git(repo, 'branch', 'base');
    writeFileSync(join(repo, 'src/late.js'), 'const late = 1\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'late', '--no-verify');
    const lint = await run(['lint', '--since', 'base'], repo, actions(join(repo, '..')).env);
    const name = repo.split('/').at(-1)!;
    expect(workflowCommands(lint.stdout)[0]).toMatch(new RegExp(`^::error file=${name}/src/late\\.js,line=1,col=7,`));
  });

  it('lockfile drift names the manifest; a package without integrity names pnpm-lock.yaml and its line', async () => {
    const drift = lockfileWorkspace({
      'apps/api/package.json': { name: '@acme/api', version: '1.0.0', dependencies: { ms: '^2.1.3', kleur: '^4.1.5' } },
    });
    const gh = actions(drift);
    const run1 = await run(['lockfile', 'check'], drift, gh.env);
    expect(run1.exitCode).toBe(1);
    const commands = workflowCommands(run1.stdout);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^::error file=apps\/api\/package\.json,title=lockfile%3A [A-Z_]+::.*kleur.*%0Afix: /);
    expect(readFileSync(gh.summary, 'utf8')).toMatch(
      /### ❌ devkit lockfile check: 1 finding\n\n\| file \| line \| rule \| message \|\n\| --- \| --- \| --- \| --- \|\n\| `apps\/api\/package\.json` \| {2}\| [A-Z_]+ \| .*kleur/,
    );

    const unpinned = lockfileWorkspace({
      'pnpm-lock.yaml': LOCKFILE.replace(
        '    resolution: {integrity: sha512-MMMM}',
        '    resolution: {tarball: https://registry.npmjs.org/ms/-/ms-2.1.3.tgz}',
      ),
    });
    const line = LOCKFILE.split('\n').indexOf('  ms@2.1.3:') + 1;
    const run2 = await run(['lockfile', 'check'], unpinned, actions(unpinned).env);
    expect(run2.exitCode).toBe(1);
    expect(workflowCommands(run2.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(`^::error file=pnpm-lock\\.yaml,line=${line},title=lockfile%3A TARBALL_UNPINNED::`),
      ),
    ]);
  });

  it('a devkit.json value of the wrong type is an ::error at its key, whatever the command', async () => {
    const dir = lockfileWorkspace({
      'devkit.json':
        '{\n  "artifacts": {\n    "deployables": ["apps/api"]\n  },\n  "toolchain": {\n    "node": 24\n  }\n}\n',
    });
    const gh = actions(dir);
    const check = await run(['lockfile', 'check'], dir, gh.env);
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toContain('toolchain.node');
    expect(workflowCommands(check.stdout)).toEqual([
      expect.stringMatching(
        /^::error file=devkit\.json,line=6,col=5,title=E_CONFIG_INVALID toolchain\.node::expected string/,
      ),
    ]);
    const summary = readFileSync(gh.summary, 'utf8');
    expect(summary).toContain('### ❌ devkit lockfile check');
    expect(summary).toContain('E_CONFIG_INVALID');
    const plain = await run(['lockfile', 'check'], dir);
    expect(workflowCommands(plain.stdout + plain.stderr)).toEqual([]);
  });
});

describe('--verbose and DEVKIT_DEBUG', () => {
  it('show each command devkit runs, its folder, exit code and duration, on stderr only', async () => {
    const repo = makeRepo();
    const verbose = await run(['--verbose', 'lint', '--since', 'HEAD'], repo);
    expect(verbose.exitCode).toBe(0);
    const lines = verbose.stderr.split('\n');
    const start = lines.find((l) => l.startsWith('$ git ') && l.endsWith(`(${repo})`));
    expect(start, verbose.stderr).toBeDefined();
    const command = start!.slice(2, -` (${repo})`.length);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^\\$ ${escapeRegExp(command)} → exit 0 in \\d+(\\.\\d+)? m?s$`)),
    );
    expect(verbose.stdout).not.toContain('$ git');

    const debug = await run(['--json', 'lint', '--since', 'HEAD'], repo, { DEVKIT_DEBUG: '1' });
    expect(debug.exitCode).toBe(0);
    expect(() => JSON.parse(debug.stdout) as unknown).not.toThrow();
    expect(debug.stderr).toMatch(/^\$ git .* → exit 0 in /m);

    const quiet = await run(['lint', '--since', 'HEAD'], repo);
    expect(quiet.stderr).not.toMatch(/^\$ /m);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
