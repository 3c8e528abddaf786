import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DevkitError } from '@devkit/core';
import { parseConfig } from './validate.js';
import { toJsonSchema } from './schema.js';

function configError(text: string): DevkitError {
  try {
    parseConfig(text, '/repo/devkit.json');
  } catch (error) {
    if (error instanceof DevkitError) return error;
    throw error;
  }
  throw new Error('expected parseConfig to throw');
}

interface Issue {
  line: number;
  column: number;
  keyPath: string;
  message: string;
  expected: string;
  found: string;
}
const issuesOf = (error: DevkitError) => (error.details as { issues: Issue[] }).issues;

const DESIGN_EXAMPLE = {
  $schema: './node_modules/@devkit/config/schema.json',
  toolchain: { node: '>=20.11', pnpm: '10.x' },
  services: {
    postgres: { version: '15', databases: ['app', 'app_test'], setup: ['pnpm --filter api migrate'] },
    redis: { version: '7' },
    memcached: { version: '1.6' },
    registry: { version: '2' },
  },
  hooks: { 'pre-commit': ['lint-staged', 'lockfile'] },
  lockfile: { registries: ['https://npm.example.com/'] },
  native: {
    builders: { bullseye: { dockerfile: 'docker/bullseye/Dockerfile' } },
    targets: {
      'linux-x64-gnu': { builder: 'bullseye', glibc: '2.31' },
      'darwin-arm64': { builder: 'bullseye', macos: '11.0' },
    },
    packages: { '@acme/fastdiff': { build: 'make', outputs: ['build/*.so'] } },
  },
  artifacts: { deployables: ['apps/api', 'apps/web'], store: '.devkit/store' },
  environments: { staging: {}, production: { from: 'staging' } },
  notify: { webhooks: [{ url: 'https://hooks.example/devkit', secretEnv: 'DEVKIT_WEBHOOK_SECRET' }] },
};

describe('parseConfig', () => {
  it('accepts the full shape DESIGN.md documents', () => {
    const config = parseConfig(JSON.stringify(DESIGN_EXAMPLE, null, 2), '/repo/devkit.json');
    expect(config.services?.postgres?.databases).toEqual(['app', 'app_test']);
    expect(config.environments?.production?.from).toBe('staging');
  });

  it('locates a JSON syntax error by line and column', () => {
    const error = configError('{\n  "toolchain": {\n    "node": ">=20"\n  },,\n}\n');
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe('E_CONFIG_INVALID');
    const [issue] = issuesOf(error);
    expect(issue).toMatchObject({ line: 4, column: 5, keyPath: '(syntax)' });
    expect(error.message).toContain('devkit.json:4:5');
  });

  it('names the key path, the position, what was expected and what was found for a wrong type', () => {
    const text = '{\n  "services": {\n    "postgres": { "version": 15 }\n  }\n}\n';
    const error = configError(text);
    const [issue] = issuesOf(error);
    expect(issue).toMatchObject({
      keyPath: 'services.postgres.version',
      line: 3,
      column: 19,
      expected: 'string',
      found: 'number 15',
    });
    expect(error.message).toContain('devkit.json:3:19 services.postgres.version: expected string, found number 15');
  });

  it('shows the file relative to the folder devkit ran in, or whole when none is given', () => {
    const text = '{ "hoks": {} }\n';
    expect(() => parseConfig(text, '/repo/devkit.json', '/repo/apps/api')).toThrow(
      /^\.\.\/\.\.\/devkit\.json is not valid/,
    );
    expect(() => parseConfig(text, '/repo/devkit.json', '/repo')).toThrow(
      /^devkit\.json is not valid \(1 problem\):\n {2}devkit\.json:1:3 hoks/,
    );
    expect(() => parseConfig(text, '/repo/devkit.json')).toThrow(/^\/repo\/devkit\.json is not valid/);
  });

  it('rejects unknown keys with a did-you-mean, at the key itself', () => {
    const error = configError('{\n  "toolchain": {},\n  "hoks": {}\n}\n');
    const [issue] = issuesOf(error);
    expect(issue).toMatchObject({ keyPath: 'hoks', line: 3, column: 3 });
    expect(issue!.message).toBe('unknown key "hoks" (did you mean "hooks"?)');
  });

  it('suggests within nested objects and enum values', () => {
    const error = configError(
      JSON.stringify({ services: { postgress: { version: '15' } }, hooks: { 'pre-commit': ['lockfil'] } }, null, 2),
    );
    const messages = issuesOf(error).map((i) => `${i.keyPath}: ${i.message}`);
    expect(messages).toContain('services.postgress: unknown key "postgress" (did you mean "postgres"?)');
    expect(messages.find((m) => m.startsWith('hooks.pre-commit[0]'))).toContain('did you mean "lockfile"?');
  });

  it('takes a command as a hook entry, and points into a malformed one', () => {
    const hooks = { 'pre-commit': ['lint-staged', { run: 'pnpm typecheck', glob: ['*.ts', '*.tsx'], name: 'types' }] };
    expect(parseConfig(JSON.stringify({ hooks }), '/repo/devkit.json').hooks).toEqual(hooks);
    const error = configError(
      JSON.stringify({ hooks: { 'pre-commit': [{ run: 'tsc', globs: '*.ts' }, { run: '' }] } }),
    );
    const messages = issuesOf(error).map((i) => `${i.keyPath}: ${i.message}`);
    expect(messages).toContain('hooks.pre-commit[0].globs: unknown key "globs" (did you mean "glob"?)');
    expect(messages.find((m) => m.startsWith('hooks.pre-commit[1].run'))).toBeDefined();
  });

  it('reports every problem at once', () => {
    const error = configError(
      JSON.stringify({ toolchain: { node: 20 }, artifacts: { deployables: 'apps/api' }, extra: true }),
    );
    expect(
      issuesOf(error)
        .map((i) => i.keyPath)
        .sort(),
    ).toEqual(['artifacts.deployables', 'extra', 'toolchain.node']);
  });

  it('checks rules that span keys: gates name declared environments and do not loop', () => {
    const missing = configError(JSON.stringify({ environments: { production: { from: 'stagin' } } }));
    expect(issuesOf(missing)[0]).toMatchObject({ keyPath: 'environments.production.from', found: '"stagin"' });
    const cycle = configError(JSON.stringify({ environments: { a: { from: 'b' }, b: { from: 'a' } } }));
    expect(issuesOf(cycle)[0]!.message).toContain('cycle');
  });

  it('rejects a target whose builder does not exist', () => {
    const error = configError(JSON.stringify({ native: { targets: { 'linux-x64-gnu': { builder: 'jessie' } } } }));
    expect(issuesOf(error)[0]).toMatchObject({ keyPath: 'native.targets.linux-x64-gnu.builder' });
  });

  it('rejects an empty file and a non-object', () => {
    expect(configError('').code).toBe('E_CONFIG_INVALID');
    expect(issuesOf(configError('[]'))[0]!.expected).toBe('object');
  });
});

describe('schema.json', () => {
  it('is the schema generated from the zod source (run `pnpm -F @devkit/config build` after a change)', () => {
    const shipped = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).toEqual(JSON.parse(JSON.stringify(toJsonSchema())));
  });

  it('forbids unknown keys and describes services', () => {
    const schema = toJsonSchema() as { additionalProperties?: boolean; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'toolchain',
        'services',
        'hooks',
        'lockfile',
        'native',
        'artifacts',
        'environments',
        'notify',
      ]),
    );
  });
});
