import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isDevkitError } from '@devkit/core';
import { scanImportersSection } from './packages-section.js';
import { parseLockfile } from './parse-lockfile.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

function lockfileWith(importers: string): string {
  return `lockfileVersion: '9.0'\n\n${importers}\npackages: {}\n\nsnapshots: {}\n`;
}

/** The same lockfile, read through js-yaml: a comment line is valid YAML that the scanner declines. */
function parsedByYaml(text: string) {
  const withComment = text.replace(/^importers:\n/m, 'importers:\n  # read by the YAML parser\n');
  expect(withComment).not.toBe(text);
  expect(scanImportersSection(withComment.slice(withComment.indexOf('importers:')))).toBeUndefined();
  return parseLockfile(withComment);
}

function importersSection(text: string): string {
  const start = text.indexOf('\nimporters:') + 1;
  const end = text.indexOf('\npackages:', start);
  return text.slice(start, end === -1 ? text.length : end + 1);
}

/** The result of parsing, or the error code it fails with. */
function outcome(text: string): unknown {
  try {
    return parseLockfile(text).importers;
  } catch (error) {
    if (isDevkitError(error)) return error.code;
    throw error;
  }
}

describe('scanImportersSection', () => {
  it('reads real lockfiles exactly as the YAML parser and its conversion do', () => {
    for (const file of ['pnpm-lock.yaml', 'test/fixtures/acme/pnpm-lock.yaml']) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      const scanned = scanImportersSection(importersSection(text));
      expect(scanned, file).toBeDefined();
      expect(Object.keys(scanned!).length).toBeGreaterThan(1);
      expect(parseLockfile(text).importers).toEqual(parsedByYaml(text).importers);
    }
  });

  it('reads the shapes pnpm writes: empty importers, publishDirectory, quoted names, one name in two fields, CRLF', () => {
    const text = lockfileWith(`importers:

  .: {}

  apps/empty:

  apps/api:
    dependencies:
      '@acme/shared':
        specifier: workspace:*
        version: link:../../packages/shared
      ms:
        specifier: 'catalog:'
        version: 2.1.3
    devDependencies:
    optionalDependencies:
      ms:
        specifier: 'catalog:'
        version: 2.1.3
      'it''s':
        specifier: '>=1.0.0 <2'
        version: 1.5.0(react@18.3.1)
    publishDirectory: dist
`);
    const scanned = scanImportersSection(importersSection(text));
    expect(scanned).toEqual({
      '.': { specifiers: {} },
      'apps/empty': { specifiers: {} },
      'apps/api': {
        specifiers: { '@acme/shared': 'workspace:*', ms: 'catalog:', "it's": '>=1.0.0 <2' },
        dependencies: { '@acme/shared': 'link:../../packages/shared', ms: '2.1.3' },
        optionalDependencies: { ms: '2.1.3', "it's": '1.5.0(react@18.3.1)' },
        publishDirectory: 'dist',
      },
    });
    expect(parseLockfile(text).importers).toEqual(parsedByYaml(text).importers);
    expect(parseLockfile(text.replaceAll('\n', '\r\n')).importers).toEqual(scanned);
  });

  it('leaves to the YAML parser what it does not read the same way, with the same outcome', () => {
    const entry = (specifier: string, version = '1.0.0') =>
      `importers:\n\n  .:\n    dependencies:\n      a:\n        specifier: ${specifier}\n        version: ${version}\n`;
    const declined = [
      // values YAML reads as another type, or not as written
      entry('1'),
      entry('1.0'),
      entry('0x1F'),
      entry('1_000'),
      entry('.inf'),
      entry('true'),
      entry('~'),
      entry('null'),
      entry('2024-01-01'),
      entry('"^1.0.0"'),
      entry('^1.0.0 # pinned'),
      entry(' ^1.0.0'),
      entry('*'),
      entry("'a'b'"),
      entry('^1', '1e3'),
      entry('{a: 1}'),
      entry('[1]'),
      entry('>=1'),
      // shapes the model takes from elsewhere, or that are broken
      `importers:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n`,
      `importers:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n        version: 1.0.1\n`,
      `importers:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n    devDependencies:\n      a:\n        specifier: ^2.0.0\n        version: 2.0.0\n`,
      `importers:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n`,
      `importers:\n\n  .:\n    devDependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n    dependencies:\n      b:\n        specifier: ^1.0.0\n        version: 1.0.0\n`,
      `importers:\n\n  .:\n    dependencies: {}\n`,
      `importers:\n\n  .:\n    dependenciesMeta:\n      a:\n        injected: true\n`,
      `importers:\n\n  .:\n    dependencies:\n      a: 1.0.0\n`,
      `importers:\n\n  .:\n\tdependencies:\n`,
      `importers:\n\n  .: {}\n  .: {}\n`,
    ];
    for (const section of declined) {
      const text = lockfileWith(section);
      expect([section, scanImportersSection(importersSection(text))]).toEqual([section, undefined]);
      // what parseLockfile gives (or the error it throws) is the YAML parser's reading
      const viaYaml = (() => {
        const withComment = text.replace(/^importers:\n/m, 'importers:\n  # x\n');
        return outcome(withComment);
      })();
      expect([section, outcome(text)]).toEqual([section, viaYaml]);
    }
  });

  it('agrees with js-yaml on scalars it accepts, written as pnpm writes them or plain', () => {
    const values = [
      '^1.2.3',
      '~1.2.3',
      '1.2.3',
      '1.2.3(react@18.3.1)(typescript@5.9.2)',
      'workspace:*',
      'workspace:^',
      'catalog:',
      'catalog:react19',
      'npm:lodash@^4.17.21',
      'link:../../packages/a',
      'file:vendor/a-1.0.0.tgz',
      'https://example.com/a.tgz',
      'github:acme/a#0123456789abcdef0123456789abcdef01234567',
      '>=1.0.0 <2',
      '^18.0.0 || ^19.0.0',
      'latest',
      '*',
      '1',
      '1.0',
      'x',
      'a,b',
      "o'clock",
      'a{b}',
      'yes',
      'on',
      'NaN',
      '-1',
      '+1',
      '1e3',
      '12:30',
      '2001-12-14',
      '2001-12-14t21:59:43.10-05:00',
      '1.2.3.4',
      '0.0',
      '00.1',
      'Null',
      'nul',
      'a#b',
    ];
    let accepted = 0;
    for (const value of values) {
      for (const written of [yaml.dump(value, { lineWidth: -1 }).trim(), value]) {
        const section = `importers:\n\n  .:\n    dependencies:\n      a:\n        specifier: ${written}\n        version: ${written}\n`;
        const scanned = scanImportersSection(section);
        if (scanned === undefined) continue;
        accepted++;
        const entry = (yaml.load(section) as { importers: Record<string, { dependencies: { a: unknown } }> }).importers[
          '.'
        ]!.dependencies.a;
        expect([written, scanned['.']]).toEqual([
          written,
          {
            specifiers: { a: (entry as { specifier: unknown }).specifier },
            dependencies: { a: (entry as { version: unknown }).version },
          },
        ]);
      }
    }
    // every value pnpm writes (the dumped form) is read without the parser
    expect(accepted).toBeGreaterThanOrEqual(values.length);
  });
});
