import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPins, type PinConfig } from './pins.js';
import { checkToolchain } from './toolchain-check.js';
import { planToolchain, type ToolchainFacts } from './toolchain.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function pinsOf(files: Record<string, object | string>, config: PinConfig = {}) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'devkit-toolchain-')));
  made.push(root);
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(root, name), typeof content === 'string' ? content : JSON.stringify(content));
  return readPins(root, config);
}

function facts(
  host: { node?: string; pnpm?: string },
  cached: { node?: string[]; pnpm?: string[] } = {},
): ToolchainFacts {
  return {
    cached: { node: cached.node ?? [], pnpm: cached.pnpm ?? [] },
    host: {
      node: host.node ? { version: host.node, path: '/usr/bin/node' } : undefined,
      pnpm: host.pnpm ? { version: host.pnpm, path: '/usr/bin/pnpm' } : undefined,
    },
  };
}

describe('planToolchain', () => {
  const exact = () => pinsOf({ 'package.json': { packageManager: 'pnpm@11.19.0' }, '.node-version': '24.22.3' });

  it('takes an exact pin from the machine when it is that very version, else from the cache, else downloads it', () => {
    expect(planToolchain(exact(), facts({ node: '24.22.3', pnpm: '11.19.0' }, { pnpm: ['11.19.0'] }))).toMatchObject({
      node: { from: 'host', version: '24.22.3' },
      pnpm: { from: 'host', version: '11.19.0' },
    });
    expect(planToolchain(exact(), facts({ node: '20.20.2', pnpm: '10.34.9' }, { node: ['24.22.3'] }))).toMatchObject({
      node: { from: 'cache', version: '24.22.3', pinnedBy: '.node-version' },
      pnpm: { from: 'download', version: '11.19.0', pinnedBy: 'package.json packageManager' },
    });
  });

  it('takes a range from the machine when it satisfies every pin, else the newest cached, else the newest published', () => {
    const pins = pinsOf({ 'package.json': { engines: { node: '>=22.13' } } }, { toolchain: { node: '^22.0.0' } });
    expect(planToolchain(pins, facts({ node: '22.20.0' }, { node: ['22.23.5'] })).node).toMatchObject({
      from: 'host',
      version: '22.20.0',
    });
    expect(
      planToolchain(pins, facts({ node: '20.20.2' }, { node: ['22.1.0', '22.23.5', '24.22.3'] })).node,
    ).toMatchObject({
      from: 'cache',
      version: '22.23.5',
    });
    expect(planToolchain(pins, facts({ node: '20.20.2' }, { node: ['24.22.3'] })).node).toMatchObject({
      from: 'download',
      version: undefined,
    });
  });

  it('plans nothing for a tool nothing pins', () => {
    expect(planToolchain(pinsOf({}), facts({ node: '20.20.2', pnpm: '10.34.9' }))).toEqual({
      node: undefined,
      pnpm: undefined,
    });
  });
});

describe('checkToolchain', () => {
  const acme = () =>
    pinsOf(
      { 'package.json': { packageManager: 'pnpm@10.34.9', engines: { node: '>=18' } } },
      { toolchain: { node: '>=20.11', pnpm: '10.x' } },
    );

  it('passes when the machine has what every pin asks for', () => {
    const pins = acme();
    const verdict = checkToolchain(pins, planToolchain(pins, facts({ node: '20.20.2', pnpm: '10.34.9' })), undefined);
    expect(verdict).toMatchObject({ upToDate: true, problems: [] });
    expect(verdict.summary).toBe(
      'node 20.20.2 on PATH, devkit.json toolchain.node; pnpm 10.34.9 on PATH, package.json packageManager',
    );
  });

  it('names the version found, what is pinned, where, and the command that provisions it', () => {
    const pins = acme();
    const verdict = checkToolchain(pins, planToolchain(pins, facts({ node: '18.19.0', pnpm: '9.15.0' })), undefined);
    expect(verdict.upToDate).toBe(false);
    expect(verdict.problems.map((p) => [p.code, p.kind, p.fix])).toEqual([
      ['W_TOOLCHAIN_NOT_PROVISIONED', 'fixable', 'devkit bootstrap'],
      ['W_TOOLCHAIN_NOT_PROVISIONED', 'fixable', 'devkit bootstrap'],
    ]);
    expect(verdict.problems[0]!.message).toBe(
      'devkit.json toolchain.node asks for node >=20.11 and >=18; node on PATH is 18.19.0; run `devkit bootstrap` to provision it',
    );
    expect(verdict.problems[1]!.message).toBe(
      'package.json packageManager pins pnpm 10.34.9; pnpm on PATH is 9.15.0; run `devkit bootstrap` to provision it',
    );
  });

  it('sees the pnpm packageManager pins without any devkit.json', () => {
    const pins = pinsOf({ 'package.json': { packageManager: 'pnpm@11.19.0+sha512.abc' } });
    const verdict = checkToolchain(pins, planToolchain(pins, facts({ node: '24.22.3' })), undefined);
    expect(verdict.problems.map((p) => p.message)).toEqual([
      'package.json packageManager pins pnpm 11.19.0; there is no pnpm on PATH; run `devkit bootstrap` to provision it',
    ]);
  });

  it('runs (without a problem) when a cached version is not yet what this checkout runs', () => {
    const pins = pinsOf({ '.node-version': '24.22.3' });
    const plan = planToolchain(pins, facts({ node: '20.20.2' }, { node: ['24.22.3'] }));
    expect(checkToolchain(pins, plan, undefined)).toMatchObject({ upToDate: false, problems: [] });
    const active = { node: { version: '24.22.3', from: 'cache' as const, pinnedBy: '.node-version' }, pnpm: undefined };
    expect(checkToolchain(pins, plan, active)).toMatchObject({ upToDate: true, problems: [] });
  });

  it('blocks with exit 2 on pins that disagree or are no version, and only notes an alias beside a real pin', () => {
    const disagree = pinsOf({ 'package.json': { packageManager: 'pnpm@11.19.0', engines: { pnpm: '10.x' } } });
    const blocked = checkToolchain(disagree, { node: undefined, pnpm: undefined }, undefined);
    expect(blocked.problems.map((p) => [p.code, p.kind, p.exitCode])).toEqual([['E_PINS_DISAGREE', 'blocking', 2]]);
    const invalid = pinsOf({ 'package.json': { engines: { node: 'twenty' } } });
    expect(
      checkToolchain(invalid, { node: undefined, pnpm: undefined }, undefined).problems.map((p) => p.code),
    ).toEqual(['E_TOOLCHAIN_RANGE']);
    const alias = pinsOf({ '.nvmrc': 'lts/*', '.node-version': '24.22.3' });
    const noted = checkToolchain(alias, planToolchain(alias, facts({ node: '24.22.3' })), undefined);
    expect(noted.problems).toEqual([]);
    expect(noted.notes).toEqual([expect.stringContaining('.nvmrc asks for node "lts/*"')]);
  });
});
