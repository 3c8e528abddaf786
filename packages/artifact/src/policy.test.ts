import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyIndex } from './store.js';
import { checkChain, type HistoryEntry } from './history.js';
import { checkProvenance } from './gates.js';
import { planGc } from './gc.js';
import { signBody, webhookBody } from './webhooks.js';
import { globToRegExp, matchesPatterns } from './glob.js';
import { diffInputs, type InputsRecord } from './inputs.js';

const statement = (builder: string, ref: string | null, dirty = false) => ({
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: { runDetails: { builder: { id: builder } }, buildDefinition: { externalParameters: { ref }, internalParameters: { dirty } } },
});

describe('checkProvenance', () => {
  const require = { builder: 'https://ci/builder', refs: ['refs/heads/main'] };
  it('admits the trusted builder on a protected ref', () => expect(checkProvenance(statement('https://ci/builder', 'refs/heads/main'), require)).toEqual([]));
  it('names each broken rule', () => {
    expect(checkProvenance(statement('local:me@laptop', 'refs/heads/pr-1', true), require)).toEqual([
      'it was built by "local:me@laptop", not the trusted builder "https://ci/builder"',
      'it was built from refs/heads/pr-1, not one of refs/heads/main',
      'it was built from a work tree with uncommitted changes',
    ]);
    expect(checkProvenance(undefined, require)).toEqual(['it has no SLSA v1 provenance']);
  });
  it('requires nothing when the environment requires nothing', () => expect(checkProvenance(undefined, {})).toEqual([]));
});

describe('checkChain', () => {
  const entry = (sequence: number, from: string | null, to: string) => ({ sequence, from, to }) as HistoryEntry;
  it('accepts a consistent chain and names a lost entry', () => {
    expect(checkChain([entry(3, 'b', 'c'), entry(2, 'a', 'b'), entry(1, null, 'a')])).toEqual([]);
    expect(checkChain([entry(3, 'x', 'c'), entry(1, null, 'a')])).toEqual(['entry 3 follows entry 1', 'entry 3 starts from x, but entry 1 went to a']);
  });
});

describe('webhooks', () => {
  it('signs the exact body with HMAC-SHA256 and carries CloudEvents attributes and a Slack text', () => {
    const body = webhookBody({ kind: 'promote', outcome: 'success', name: 'api', environment: 'prod', from: `sha256:${'a'.repeat(64)}`, to: `sha256:${'b'.repeat(64)}`, commits: { from: null, to: null }, actor: 'me', durationMs: 12.3, source: 'devkit://acme' }, 'id-1', '2026-01-01T00:00:00Z');
    expect(signBody(body, 'k')).toBe(`sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
    expect(JSON.parse(body)).toMatchObject({ specversion: '1.0', id: 'id-1', type: 'dev.devkit.promote.success', subject: 'api/prod', text: 'api promoted to prod: aaaaaaaaaaaa → bbbbbbbbbbbb by me' });
  });
});

describe('planGc', () => {
  it('keeps tags, history targets and the newest builds, and referrers of what stays', () => {
    const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}` as const;
    const build = (n: number, created: string) => ({ mediaType: 'm', digest: d(n), size: 1, annotations: { 'dev.devkit.index.kind': 'build', 'dev.devkit.artifact.name': 'api', 'org.opencontainers.image.created': created } });
    const index = emptyIndex();
    index.manifests.push(build(1, '2026-01-01'), build(2, '2026-01-02'), build(3, '2026-01-03'), build(4, '2026-01-04'));
    index.manifests.push({ mediaType: 'm', digest: d(5), size: 1, annotations: { 'dev.devkit.index.kind': 'referrer', 'dev.devkit.subject': d(1) } });
    index.manifests.push({ mediaType: 'm', digest: d(6), size: 1, annotations: { 'dev.devkit.index.kind': 'referrer', 'dev.devkit.subject': d(2) } });
    const plan = planGc(index, { prune: true, keepBuilds: 1, historyRoots: new Set([d(1)]) });
    expect(plan.dropEntries.map((e) => e.digest)).toEqual([d(2), d(3), d(6)]);
    expect(planGc(index, { prune: false, keepBuilds: 1, historyRoots: new Set() }).dropEntries).toEqual([]);
  });
});

describe('globs and inputs diff', () => {
  it('matches turbo-style output patterns', () => {
    expect(globToRegExp('dist/**').test('dist/a/b.js')).toBe(true);
    expect(globToRegExp('dist').test('dist/x')).toBe(true);
    expect(globToRegExp('*.js').test('a/b.js')).toBe(false);
    expect(matchesPatterns('dist/cache/x', ['dist/**', '!dist/cache/**'])).toBe(false);
  });
  it('names what changed between two inputs records', () => {
    const base: InputsRecord = { files: { a: '1', b: '2' }, lockfile: { 'ms@1': 'x' }, config: 'c', toolchain: { node: 'v20' }, devkitVersion: '0.1.0', env: { X: null } };
    const next: InputsRecord = { ...base, files: { a: '1', c: '3' }, toolchain: { node: 'v22' }, env: { X: 'sha256:1' } };
    expect(diffInputs(base, next)).toMatchObject({ files: { added: ['c'], removed: ['b'], changed: [] }, toolchain: [{ key: 'node', a: 'v20', b: 'v22' }], env: [{ name: 'X', a: null, b: 'sha256:1' }], same: false });
    expect(diffInputs(base, base).same).toBe(true);
  });
});
