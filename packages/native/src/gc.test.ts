import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeFiles } from '@devkit/test-utils';
import type { DevkitConfig } from '@devkit/config';
import { applyBuilderFloors, buildKey, planNativeBuilds } from './build.js';
import {
  applyNativeGc,
  collectNativeGcFacts,
  planNativeGc,
  type GcCacheFacts,
  type GcEngineFacts,
  type GcImageFact,
  type GcItem,
} from './gc.js';

afterAll(() => cleanupTempDirs());

const id = (n: string) => `sha256:${n.repeat(64).slice(0, 64)}`;

function builder(n: string, group: string, inputs: string, created: number, size = 1000): GcImageFact {
  return {
    id: id(n),
    tags: [`devkit-builder/${group}:${inputs.slice(0, 12)}`],
    kind: 'builder',
    group,
    inputs,
    baseInputs: 'base-1',
    created,
    size,
  };
}

function base(n: string, inputs: string, created: number, size = 800): GcImageFact {
  return {
    id: id(n),
    tags: [`devkit-base:bullseye-${inputs}`],
    kind: 'base',
    group: 'bullseye',
    inputs,
    baseInputs: undefined,
    created,
    size,
  };
}

function engine(images: GcImageFact[], over: Partial<GcEngineFacts> = {}): GcEngineFacts {
  return {
    images,
    chain: images.map((i) => ({ id: i.id, parent: undefined, size: i.size, tags: i.tags })),
    containers: [],
    volumes: [],
    currentBuilderInputs: new Map([['bullseye', 'b-current']]),
    currentBaseInputs: new Map([['bullseye', 'base-1']]),
    unknownBuilders: new Map(),
    recorded: new Map(),
    ...over,
  };
}

const noCache: GcCacheFacts = { dir: '/nowhere', entries: [], staging: [], current: new Map() };

const names = (items: GcItem[]) => items.map((i) => i.name);
const reasonOf = (items: GcItem[], name: string) => items.find((i) => i.name.includes(name))?.reason;

describe('native gc plan: images', () => {
  const current = builder('a', 'bullseye', 'b-current', 300);
  const older = builder('b', 'bullseye', 'b-older00000', 200);
  const oldest = builder('c', 'bullseye', 'b-oldest0000', 100);
  const baseImage = base('d', 'base-1', 50);
  const staleBase = base('e', 'base-0', 10);

  it('removes what no current builder uses, builders before the bases they are built on', () => {
    const plan = planNativeGc({ engine: engine([staleBase, oldest, current, older, baseImage]), cache: noCache }, 0);
    expect(names(plan.remove)).toEqual([
      'devkit-builder/bullseye:b-oldest0000',
      'devkit-builder/bullseye:b-older00000',
      'devkit-base:bullseye-base-0',
    ]);
    expect(plan.keep.map((k) => [k.name, k.rule])).toEqual([
      ['devkit-builder/bullseye:b-current', 'current'],
      ['devkit-base:bullseye-base-1', 'current'],
    ]);
    expect(plan.freedBytes).toBe(1000 + 1000 + 800);
  });

  it('--keep N keeps the N newest unused per builder; what they are built on stays', () => {
    const plan = planNativeGc(
      { engine: engine([oldest, current, older, baseImage], { currentBaseInputs: new Map() }), cache: noCache },
      1,
    );
    expect(names(plan.remove)).toEqual(['devkit-builder/bullseye:b-oldest0000']);
    expect(reasonOf(plan.keep, 'b-older')).toBe('one of the 1 newest unused images of builder bullseye (--keep 1)');
    expect(plan.keep.find((k) => k.name.startsWith('devkit-base'))?.rule).toBe('keep');
  });

  it('keeps the base a kept builder is built on, even when the base is no longer current', () => {
    const plan = planNativeGc(
      {
        engine: engine([current, baseImage], { currentBaseInputs: new Map([['bullseye', 'base-2']]) }),
        cache: noCache,
      },
      0,
    );
    expect(plan.remove).toEqual([]);
    expect(plan.keep.find((k) => k.name.startsWith('devkit-base'))).toMatchObject({
      rule: 'built-on',
      reason: 'base of the kept image devkit-builder/bullseye:b-current',
    });
  });

  it('never removes an image a container uses, or one tagged outside devkit, and says why', () => {
    const tagged = { ...oldest, tags: [...oldest.tags, 'me/mine:latest'] };
    const facts = engine([current, older, tagged, baseImage], {
      containers: [{ id: 'c1', name: 'probe', image: older.id, state: 'exited', volumes: [] }],
    });
    const plan = planNativeGc({ engine: facts, cache: noCache }, 0);
    expect(plan.remove).toEqual([]);
    expect(reasonOf(plan.keep, 'b-older')).toBe('used by container probe (exited); remove it first: docker rm probe');
    expect(plan.keep.find((k) => k.name.includes('b-oldest'))?.rule).toBe('tagged');
  });

  it('counts images recorded in .devkit/native/images.json as current, and keeps a builder whose inputs are unknown', () => {
    const other = builder('f', 'zig', 'z-1', 100);
    const facts = engine([current, older, other, baseImage], {
      recorded: new Map([[older.id, 'recorded for builder bullseye in .devkit/native/images.json']]),
      unknownBuilders: new Map([['zig', 'Node headers not found']]),
    });
    const plan = planNativeGc({ engine: facts, cache: noCache }, 0);
    expect(plan.remove).toEqual([]);
    expect(plan.keep.find((k) => k.name.includes('zig'))).toMatchObject({ rule: 'inputs-unknown' });
  });

  it("frees an image's own layers only: shared parents count once, untagged ones go with their child", () => {
    // base (800) ← intermediate (900, untagged) ← old builder (1000); base ← current builder (950)
    const old = { ...builder('b', 'bullseye', 'b-old', 100), size: 1000 };
    const cur = { ...builder('a', 'bullseye', 'b-current', 200), size: 950 };
    const facts = engine([old, cur, baseImage], {
      chain: [
        { id: baseImage.id, parent: undefined, size: 800, tags: baseImage.tags },
        { id: id('9'), parent: baseImage.id, size: 900, tags: [] },
        { id: old.id, parent: id('9'), size: 1000, tags: old.tags },
        { id: cur.id, parent: baseImage.id, size: 950, tags: cur.tags },
      ],
    });
    const plan = planNativeGc({ engine: facts, cache: noCache }, 0);
    expect(plan.remove.map((r) => [r.name, r.size])).toEqual([['devkit-builder/bullseye:b-old', 200]]);
    expect(plan.freedBytes).toBe(200);
    // Keeping the old one through a container keeps its whole chain.
    const used = planNativeGc(
      {
        engine: { ...facts, containers: [{ id: 'c', name: 'x', image: old.id, state: 'running', volumes: [] }] },
        cache: noCache,
      },
      0,
    );
    expect(used.remove).toEqual([]);
    // A running container may be someone's build: no command to remove it is suggested.
    expect(used.keep.find((k) => k.id === old.id)!.reason).toBe('used by container x (running)');
  });
});

describe('native gc plan: zig cache volumes', () => {
  it('removes the volumes of images that go or are gone, keeps those of images that stay or in use', () => {
    const current = builder('a', 'bullseye', 'b-current', 300);
    const old = builder('b', 'bullseye', 'b-old', 100);
    const facts = engine([current, old], {
      currentBaseInputs: new Map(),
      volumes: [
        { name: `devkit-zig-cache-${'a'.repeat(12)}`, image: current.id, size: 10 },
        { name: `devkit-zig-cache-${'b'.repeat(12)}`, image: old.id, size: 20 },
        { name: `devkit-zig-cache-${'7'.repeat(12)}`, image: id('7'), size: 40 },
        { name: `devkit-zig-cache-${'8'.repeat(12)}`, image: id('8'), size: 80 },
      ],
      containers: [
        { id: 'c', name: 'busy', image: id('0'), state: 'running', volumes: [`devkit-zig-cache-${'8'.repeat(12)}`] },
      ],
    });
    const plan = planNativeGc({ engine: facts, cache: noCache }, 0);
    const volumes = plan.remove.filter((r) => r.kind === 'volume');
    expect(volumes.map((v) => [v.name.slice(-1), v.rule])).toEqual([
      ['b', 'unused'],
      ['7', 'image-gone'],
    ]);
    expect(plan.keep.filter((k) => k.kind === 'volume').map((v) => [v.name.slice(-1), v.rule])).toEqual([
      ['a', 'image-kept'],
      ['8', 'in-use'],
    ]);
    expect(plan.freedBytes).toBe(1000 + 20 + 40);
    // Images go first: a volume outlives nothing it serves.
    expect(plan.remove.map((r) => r.kind)).toEqual(['image', 'volume', 'volume']);
  });
});

describe('native gc plan: cache entries', () => {
  const entry = (key: string, target: string, created: number) => ({
    key,
    package: '@t/add' as string | undefined,
    target,
    created,
    size: 100,
    damaged: false,
  });

  it('keeps the entries builds would hit now and the N newest others per package × target', () => {
    const cache: GcCacheFacts = {
      dir: '/c',
      entries: [
        entry('k1', 'linux-x64-gnu', 1),
        entry('k2', 'linux-x64-gnu', 2),
        entry('k3', 'linux-x64-gnu', 3),
        entry('k4', 'darwin-arm64', 1),
        { ...entry('k5', 'linux-x64-gnu', 9), package: undefined },
        { ...entry('k6', 'linux-x64-gnu', 0), damaged: true },
      ],
      staging: [
        { name: 'k7.123.tmp', pid: 123, alive: false, size: 7 },
        { name: 'k8.456.tmp', pid: 456, alive: true, size: 0 },
      ],
      current: new Map([['k3', '@t/add linux-x64-gnu']]),
    };
    const none = planNativeGc({ engine: undefined, cache }, 0);
    expect(none.remove.map((r) => [r.id, r.rule])).toEqual([
      ['k5', 'unused'],
      ['k6', 'damaged'],
      ['k2', 'unused'],
      ['k1', 'unused'],
      ['k4', 'unused'],
      ['k7.123.tmp', 'dead-run'],
    ]);
    expect(none.keep.map((k) => [k.id, k.rule])).toEqual([['k3', 'current']]);
    expect(none.freedBytes).toBe(5 * 100 + 7);
    const one = planNativeGc({ engine: undefined, cache }, 1);
    expect(one.keep.map((k) => [k.id, k.rule])).toEqual([
      ['k3', 'current'],
      ['k2', 'keep'],
      ['k4', 'keep'],
    ]);
  });
});

describe('native gc on a real cache folder', () => {
  it('computes the current keys as a build does and removes the rest (renamed first), with no engine', async () => {
    const root = tempDir();
    writeFiles(root, {
      'pnpm-workspace.yaml': 'packages:\n  - add\n',
      'add/package.json': { name: '@t/add' },
      'add/add.c': 'int add;\n',
    });
    const config: DevkitConfig = {
      native: {
        // A gcc builder, so that the record's glibc is the floor the key covers.
        targets: { 'linux-x64-gnu': { builder: 'bullseye', glibc: '2.31' } },
        packages: { '@t/add': { build: 'make', outputs: ['add.node'], path: 'add', targets: ['linux-x64-gnu'] } },
      },
    } as DevkitConfig;
    // Recorded for whichever builder the target builds in: the key pins that image.
    const plans = await planNativeBuilds({ root, config, env: {} });
    const builderName = plans[0]!.target.builder;
    mkdirSync(join(root, '.devkit', 'native'), { recursive: true });
    const record = { builder: builderName, id: id('a'), tag: 't', inputs: 'i', glibc: '2.31' };
    writeFileSync(
      join(root, '.devkit', 'native', 'images.json'),
      JSON.stringify({
        [builderName]: { ...record, base: { id: id('b'), tag: 't', inputs: 'i', release: 'bullseye' } },
      }),
    );
    applyBuilderFloors(plans, new Map([[builderName, record]]), config);
    const key = buildKey(plans[0]!, id('a'), '9.9.9');
    const cache = join(root, '.devkit', 'cache', 'native');
    const stale = 'f'.repeat(64);
    for (const [k, created] of [
      [key, 5],
      [stale, 1],
    ] as const) {
      mkdirSync(join(cache, k, 'files'), { recursive: true });
      writeFileSync(join(cache, k, 'files', 'add.node'), 'x'.repeat(1000));
      writeFileSync(
        join(cache, k, 'manifest.json'),
        JSON.stringify({ key: k, package: '@t/add', target: 'linux-x64-gnu' }),
      );
      utimesSync(join(cache, k, 'manifest.json'), created, created);
    }
    // A staging folder of a process that has ended (pid 2^22 + 1 is above Linux's pid_max default).
    mkdirSync(join(cache, `${stale}.4194305.tmp`));
    const options = { root, config, env: {}, devkitVersion: '9.9.9', keep: 0, dryRun: false, docker: undefined };
    const facts = await collectNativeGcFacts(options);
    expect([...facts.cache.current.entries()]).toEqual([[key, '@t/add linux-x64-gnu']]);
    const plan = planNativeGc(facts, 0);
    expect(plan.remove.map((r) => r.id)).toEqual([stale, `${stale}.4194305.tmp`]);
    expect(plan.remove[0]!.size).toBeGreaterThan(1000);

    const dry = await applyNativeGc(plan, facts, { ...options, dryRun: true });
    expect(dry.removed.length).toBe(2);
    expect(existsSync(join(cache, stale))).toBe(true);

    const done = await applyNativeGc(plan, facts, options);
    expect(done.failed).toEqual([]);
    expect(done.freedBytes).toBe(plan.freedBytes);
    expect(existsSync(join(cache, stale))).toBe(false);
    expect(existsSync(join(cache, `${stale}.4194305.tmp`))).toBe(false);
    expect(existsSync(join(cache, key, 'files', 'add.node'))).toBe(true);
    // Nothing is left under another name either.
    expect((await import('node:fs')).readdirSync(cache)).toEqual([key]);
  });
});
