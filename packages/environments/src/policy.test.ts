import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkChain, type HistoryEntry } from './history.js';
import { checkProvenance } from './gates.js';
import { signBody, webhookBody } from './webhooks.js';

const statement = (builder: string, ref: string | null, dirty = false) => ({
  predicateType: 'https://slsa.dev/provenance/v1',
  predicate: {
    runDetails: { builder: { id: builder } },
    buildDefinition: { externalParameters: { ref }, internalParameters: { dirty } },
  },
});

describe('checkProvenance', () => {
  const require = { builder: 'https://ci/builder', refs: ['refs/heads/main'] };
  it('admits the trusted builder on a protected ref', () =>
    expect(checkProvenance(statement('https://ci/builder', 'refs/heads/main'), require)).toEqual([]));
  it('names each broken rule', () => {
    expect(checkProvenance(statement('local:me@laptop', 'refs/heads/pr-1', true), require)).toEqual([
      'it was built by "local:me@laptop", not the trusted builder "https://ci/builder"',
      'it was built from refs/heads/pr-1, not one of refs/heads/main',
      'it was built from a work tree with uncommitted changes',
    ]);
    expect(checkProvenance(undefined, require)).toEqual(['it has no SLSA v1 provenance']);
  });
  it('requires nothing when the environment requires nothing', () =>
    expect(checkProvenance(undefined, {})).toEqual([]));
});

describe('checkChain', () => {
  const entry = (sequence: number, from: string | null, to: string) => ({ sequence, from, to }) as HistoryEntry;
  it('accepts a consistent chain and names a lost entry', () => {
    expect(checkChain([entry(3, 'b', 'c'), entry(2, 'a', 'b'), entry(1, null, 'a')])).toEqual([]);
    expect(checkChain([entry(3, 'x', 'c'), entry(1, null, 'a')])).toEqual([
      'entry 3 follows entry 1',
      'entry 3 starts from x, but entry 1 went to a',
    ]);
  });
});

describe('webhooks', () => {
  it('signs the exact body with HMAC-SHA256 and carries CloudEvents attributes and a Slack text', () => {
    const body = webhookBody(
      {
        kind: 'promote',
        outcome: 'success',
        name: 'api',
        environment: 'prod',
        from: `sha256:${'a'.repeat(64)}`,
        to: `sha256:${'b'.repeat(64)}`,
        commits: { from: null, to: null },
        actor: 'me',
        durationMs: 12.3,
        source: 'devkit://acme',
      },
      'id-1',
      '2026-01-01T00:00:00Z',
    );
    expect(signBody(body, 'k')).toBe(`sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
    expect(JSON.parse(body)).toMatchObject({
      specversion: '1.0',
      id: 'id-1',
      type: 'dev.devkit.promote.success',
      subject: 'api/prod',
      text: 'api promoted to prod: aaaaaaaaaaaa → bbbbbbbbbbbb by me',
    });
  });
});
