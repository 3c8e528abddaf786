import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, copyFixture, normalizeOutput, runDevkit, tempDir, writeFiles } from '@devkit/test-utils';

/** A hand-written workspace whose lockfile is what pnpm 10 writes for it (no network needed). */
const LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .: {}

  apps/api:
    dependencies:
      '@acme/ui':
        specifier: ^1.0.0
        version: 1.0.0
      ms:
        specifier: ^2.1.3
        version: 2.1.3
    devDependencies:
      is-number:
        specifier: ^7.0.0
        version: 7.0.0

packages:

  '@acme/ui@1.0.0':
    resolution: {integrity: sha512-UUUU}

  is-number@7.0.0:
    resolution: {integrity: sha512-NNNN}
    engines: {node: '>=0.12.0'}

  ms@2.1.3:
    resolution: {integrity: sha512-MMMM}

snapshots:

  '@acme/ui@1.0.0': {}

  is-number@7.0.0: {}

  ms@2.1.3: {}
`;

function workspace(files: Record<string, string | object> = {}): string {
  const dir = tempDir('devkit-lockfile-check-');
  writeFiles(dir, {
    'package.json': { name: 'acme', private: true },
    'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
    'apps/api/package.json': {
      name: '@acme/api',
      version: '1.0.0',
      dependencies: { '@acme/ui': '^1.0.0', ms: '^2.1.3' },
      devDependencies: { 'is-number': '^7.0.0' },
    },
    'pnpm-lock.yaml': LOCKFILE,
    ...files,
  });
  return dir;
}

interface Report {
  ok: boolean;
  pnpm?: { major: number; source: string };
  counts: Record<string, number>;
  findings: Array<Record<string, unknown>>;
  error?: { code: string; message: string; hint?: string };
}

async function check(dir: string, json = true) {
  const run = await runDevkit(['lockfile', 'check', ...(json ? ['--json'] : [])], { cwd: dir });
  let report: Report | undefined;
  if (json) {
    try {
      report = JSON.parse(run.stdout) as Report;
    } catch {
      throw new Error(
        `devkit lockfile check --json printed no JSON (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`,
      );
    }
  }
  return { ...run, report, text: normalizeOutput(run.stdout, [dir]), err: normalizeOutput(run.stderr, [dir]) };
}

describe('devkit lockfile check', () => {
  afterAll(() => cleanupTempDirs());

  it('passes a lockfile that matches, and the acme fixture', async () => {
    const clean = await check(workspace(), false);
    expect(clean.exitCode).toBe(0);
    // unpinned, the rules are those of the pnpm on PATH (or devkit's default), and the output says which
    expect(clean.text).toMatch(
      /^✓ pnpm-lock\.yaml is up to date with 2 projects; 3 packages pinned, from allowed registries\npnpm \d+ rules \(.+\)$/,
    );
    const pinned = workspace({ 'package.json': { name: 'acme', private: true, packageManager: 'pnpm@11.28.13' } });
    expect((await check(pinned, false)).text.split('\n').at(-1)).toBe('pnpm 11 rules (package.json packageManager)');
    expect((await check(pinned)).report).toMatchObject({
      ok: true,
      pnpm: { major: 11, source: 'package.json packageManager' },
    });
    expect((await check(copyFixture('acme'))).exitCode).toBe(0);
    // from a project folder, the workspace's lockfile is the one checked
    const dir = workspace({
      'apps/api/package.json': { name: '@acme/api', version: '1.0.0', dependencies: { ms: '^2.1.3' } },
    });
    const fromProject = await check(join(dir, 'apps/api'));
    expect(fromProject.report!.findings.map((f) => [f.code, f.importer, f.dependency])).toEqual([
      ['DEPENDENCY_REMOVED', 'apps/api', '@acme/ui'],
      ['DEPENDENCY_REMOVED', 'apps/api', 'is-number'],
    ]);
  });

  it('lists every drift in one run: importer, dependency, both values, the file, the fix', async () => {
    const dir = workspace({
      'apps/api/package.json': {
        name: '@acme/api',
        version: '1.0.0',
        dependencies: { '@acme/ui': '^1.1.0', kleur: '^4.1.5' },
        devDependencies: { 'is-number': '^7.0.0' },
      },
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\nautoInstallPeers: false\n',
    });
    const { exitCode, report } = await check(dir);
    expect(exitCode).toBe(1);
    expect(report!.counts).toEqual({ drift: 4, integrity: 0, registry: 0 });
    expect(report!.findings.map((f) => [f.code, f.importer ?? null, f.dependency ?? f.field])).toEqual([
      ['SETTING_CHANGED', null, 'settings.autoInstallPeers'],
      ['SPECIFIER_CHANGED', 'apps/api', '@acme/ui'],
      ['DEPENDENCY_REMOVED', 'apps/api', 'ms'],
      ['DEPENDENCY_ADDED', 'apps/api', 'kleur'],
    ]);
    expect(report!.findings[0]).toMatchObject({
      manifest: false,
      lockfile: true,
      file: 'pnpm-workspace.yaml',
      fix: 'pnpm install',
    });
    expect(report!.findings[1]).toMatchObject({
      manifest: '^1.1.0',
      lockfile: '^1.0.0',
      file: 'apps/api/package.json',
      field: 'dependencies',
    });

    const human = await check(dir, false);
    expect(human.exitCode).toBe(1);
    expect(human.text).toContain('lockfile out of date (pnpm install --frozen-lockfile would fail): 4');
    expect(human.text).toContain(
      'SPECIFIER_CHANGED apps/api: @acme/ui is "^1.1.0" in apps/api/package.json but "^1.0.0" in pnpm-lock.yaml',
    );
    expect(human.text).toContain(
      'DEPENDENCY_ADDED apps/api: apps/api/package.json has dependencies.kleur "^4.1.5", which pnpm-lock.yaml does not have',
    );
    expect(human.text).toContain(
      'SETTING_CHANGED autoInstallPeers is false (pnpm-workspace.yaml) but true in pnpm-lock.yaml',
    );
    expect(human.text).toContain('fix: pnpm install');
  });

  it('finds packages without integrity, with the lockfile line', async () => {
    const dir = workspace({
      'pnpm-lock.yaml': LOCKFILE.replace(
        '    resolution: {integrity: sha512-MMMM}',
        '    resolution: {tarball: https://registry.npmjs.org/ms/-/ms-2.1.3.tgz}',
      ),
    });
    const { exitCode, report } = await check(dir);
    expect(exitCode).toBe(1);
    expect(report!.findings).toEqual([
      expect.objectContaining({ code: 'TARBALL_UNPINNED', kind: 'integrity', package: 'ms@2.1.3', line: 33 }),
    ]);
  });

  it('holds every resolution to the allowed registries and to https', async () => {
    const allowed = workspace({
      'devkit.json': { lockfile: { registries: ['https://registry.npmjs.org/'] } },
      '.npmrc': '@acme:registry=http://npm.acme.internal/\n',
    });
    const { exitCode, report } = await check(allowed);
    expect(exitCode).toBe(1);
    expect(report!.findings).toEqual([
      expect.objectContaining({
        code: 'INSECURE_URL',
        kind: 'registry',
        package: '@acme/ui@1.0.0',
        lockfile: 'http://npm.acme.internal/@acme/ui/-/ui-1.0.0.tgz',
      }),
    ]);

    const elsewhere = workspace({ 'devkit.json': { lockfile: { registries: ['https://npm.acme.dev/'] } } });
    const result = await check(elsewhere, false);
    expect(result.exitCode).toBe(1);
    expect(result.text).toContain(
      'REGISTRY_NOT_ALLOWED ms@2.1.3 is downloaded from https://registry.npmjs.org/ms/-/ms-2.1.3.tgz, outside the allowed registries (https://npm.acme.dev/)',
    );
    expect(result.text).toContain('registries: 3');
  });

  it('says clearly when the lockfile cannot be read (exit 2)', async () => {
    const missing = workspace();
    rmSync(join(missing, 'pnpm-lock.yaml'));
    const cases: Array<[string, string, RegExp]> = [
      [missing, 'E_LOCKFILE_MISSING', /no pnpm-lock\.yaml in .*\n.*fix:.*pnpm install/],
      [
        workspace({
          'pnpm-lock.yaml': LOCKFILE.replace(
            '      ms:\n        specifier: ^2.1.3',
            '      ms: [\n        specifier: ^2.1.3',
          ),
        }),
        'E_LOCKFILE_PARSE',
        /pnpm-lock\.yaml:\d+ is not valid YAML/,
      ],
      [
        workspace({
          'pnpm-lock.yaml': LOCKFILE.replace(
            '  apps/api:\n',
            '<<<<<<< HEAD\n  apps/api:\n=======\n  apps/api:\n>>>>>>> main\n',
          ),
        }),
        'E_LOCKFILE_CONFLICT',
        /pnpm-lock\.yaml has unresolved git merge-conflict markers \(lines 11, 13, 15\)\n.*fix:.*pnpm install/,
      ],
      [
        workspace({
          'package.json': { name: 'acme', private: true, packageManager: 'pnpm@11.28.13' },
          'pnpm-lock.yaml': LOCKFILE.replace("'9.0'", "'5.4'"),
        }),
        'E_LOCKFILE_VERSION',
        /lockfileVersion "5\.4"; pnpm 11 reads lockfile version 9\.x only[^\n]*\n.*fix:.*regenerate it with pnpm 11/,
      ],
      [
        workspace({ 'apps/api/package.json': '{ "name": "@acme/api", }' }),
        'E_MANIFEST_PARSE',
        /apps\/api\/package\.json is not valid JSON/,
      ],
      [
        workspace({ 'pnpm-workspace.yaml': 'packages:\n  - apps/*\n catalog: [\n' }),
        'E_WORKSPACE_PARSE',
        /pnpm-workspace\.yaml:\d+ is not valid YAML/,
      ],
    ];
    for (const [dir, code, message] of cases) {
      const human = await check(dir, false);
      expect([code, human.exitCode]).toEqual([code, 2]);
      expect(human.err).toMatch(new RegExp(`error ${code}: `));
      expect(human.err).toMatch(message);
      const json = await check(dir);
      expect(json.report!.error).toMatchObject({ code });
    }
  });

  it('names the pnpm majors it knows when the repo pins another (exit 3)', async () => {
    const dir = workspace({ 'package.json': { name: 'acme', private: true, packageManager: 'pnpm@13.0.0' } });
    const human = await check(dir, false);
    expect(human.exitCode).toBe(3);
    expect(human.err).toMatch(
      /error E_PNPM_MAJOR_UNKNOWN: package\.json packageManager asks for pnpm 13; devkit judges lockfiles for pnpm 9, 10, 11, 12 only/,
    );
    expect((await check(dir)).report!.error).toMatchObject({ code: 'E_PNPM_MAJOR_UNKNOWN' });
  });

  it('reads the working tree as it is when files change between runs', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'apps/api/package.json'),
      JSON.stringify({ name: '@acme/api', dependencies: { '@acme/ui': '^1.0.0', ms: '^2.1.3' } }),
    );
    const { report } = await check(dir);
    expect(report!.findings.map((f) => f.code)).toEqual(['DEPENDENCY_REMOVED']);
  });
});
