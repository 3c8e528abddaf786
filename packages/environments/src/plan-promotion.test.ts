import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARTIFACT_TYPE,
  MEDIA_TYPES,
  OciStore,
  attachProvenance,
  registerBuild,
  type Descriptor,
  type Digest,
} from '@devkit/artifact';
import { applyPromotion } from './apply-promotion.js';
import { LocalEnvironmentBackend } from './environment-backend.js';
import {
  gateError,
  planPromotion,
  planRollback,
  type PromotionPorts,
  type PromotionRequest,
} from './plan-promotion.js';
import { readHistory } from './promote.js';

// Plans over a real OCI-layout store in a temp folder: artifacts are registered as builds are,
// history is written by applyPromotion itself. No processes, no registry.
let dir: string;
let store: OciStore;
let ports: PromotionPorts;
const who = { git: 'Release Manager <rm@example.com>', user: null, ci: null };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devkit-plan-'));
  store = await OciStore.open(join(dir, 'store'));
  const backend = new LocalEnvironmentBackend(store);
  ports = { store, target: { backend }, source: { backend } };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function addArtifact(
  name: string,
  commit: string,
  provenance?: { builder: string; ref: string | null },
): Promise<Digest> {
  const config = await store.putJson({ schema: 'devkit.build-record/v1', name, commit });
  const manifest = await store.putJson({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    artifactType: ARTIFACT_TYPE,
    config: { mediaType: MEDIA_TYPES.buildRecord, digest: config.digest, size: config.size },
    layers: [],
  });
  const descriptor: Descriptor = { mediaType: MEDIA_TYPES.manifest, digest: manifest.digest, size: manifest.size };
  await registerBuild(
    store,
    name,
    descriptor,
    `sha256:${commit.padEnd(64, '0')}` as Digest,
    new Date('2026-01-01T00:00:00Z'),
  );
  if (provenance) {
    const statement = {
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        runDetails: { builder: { id: provenance.builder } },
        buildDefinition: { externalParameters: { ref: provenance.ref }, internalParameters: { dirty: false } },
      },
    };
    await attachProvenance(store, name, descriptor, statement, new Date('2026-01-01T00:00:00Z'));
  }
  return manifest.digest;
}

const request = (digest: Digest, environment: string, extra: Partial<PromotionRequest> = {}): PromotionRequest => ({
  name: 'api',
  environment,
  digest,
  force: false,
  reason: null,
  who,
  ...extra,
});
const apply = (plan: Awaited<ReturnType<typeof planPromotion>>) =>
  applyPromotion(plan, { ...ports, devkitVersion: '0.0.0-test', now: () => new Date('2026-02-01T00:00:00Z') });

describe('planPromotion: the from gate', () => {
  it('passes a digest that has been in the from environment, naming its entry', async () => {
    const a = await addArtifact('api', 'aaa');
    await apply(await planPromotion(request(a, 'staging'), ports));
    const plan = await planPromotion(request(a, 'production', { from: 'staging' }), ports);
    expect(plan.gates[0]).toMatchObject({
      gate: 'from',
      status: 'passed',
      environment: 'staging',
      reason: 'it has been in staging (entry 1)',
    });
    expect(plan.allowed).toBe(true);
    expect(plan.move).toEqual({
      name: 'api',
      environment: 'production',
      from: null,
      to: a,
      noop: false,
      repairTag: null,
    });
    expect(plan.entry).toEqual({ action: 'promote', from: null, to: a, sequence: 1, who, reason: null, forced: false });
  });

  it('fails one that has never been there: the plan is refused and applying it writes nothing', async () => {
    const a = await addArtifact('api', 'aaa');
    const plan = await planPromotion(request(a, 'production', { from: 'staging' }), ports);
    expect(plan.gates[0]).toMatchObject({ gate: 'from', status: 'failed', reason: 'it has never been in staging' });
    expect(plan.allowed).toBe(false);
    expect(gateError(plan)?.code).toBe('E_PROMOTION_GATE');
    await expect(apply(plan)).rejects.toMatchObject({ code: 'E_PROMOTION_GATE' });
    expect(await readHistory(ports.target.backend, 'api', 'production')).toEqual([]);
  });

  it('is overridden by --force with its reason, and the entry says forced', async () => {
    const a = await addArtifact('api', 'aaa');
    const plan = await planPromotion(
      request(a, 'production', { from: 'staging', force: true, reason: 'hotfix for INC-1' }),
      ports,
    );
    expect(plan.gates[0]).toMatchObject({
      gate: 'from',
      status: 'overridden',
      reason: 'it has never been in staging; --force: hotfix for INC-1',
    });
    expect(plan.allowed).toBe(true);
    expect(plan.entry).toMatchObject({ forced: true, reason: 'hotfix for INC-1' });
    const { result } = await apply(plan);
    expect(result.entry?.entry).toMatchObject({ forced: true, reason: 'hotfix for INC-1', sequence: 1 });
  });

  it('is not configured without environments.<env>.from', async () => {
    const a = await addArtifact('api', 'aaa');
    const plan = await planPromotion(request(a, 'staging'), ports);
    expect(plan.gates.map((g) => [g.gate, g.status])).toEqual([
      ['from', 'not-configured'],
      ['require', 'not-configured'],
    ]);
  });
});

describe('planPromotion: the provenance gate', () => {
  const require = { builder: 'https://ci.example/builder', refs: ['refs/heads/main'] };
  it('passes the trusted builder on a protected ref', async () => {
    const a = await addArtifact('api', 'aaa', { builder: 'https://ci.example/builder', ref: 'refs/heads/main' });
    const plan = await planPromotion(request(a, 'production', { require }), ports);
    expect(plan.gates[1]).toMatchObject({ gate: 'require', status: 'passed', problems: [] });
    expect(plan.allowed).toBe(true);
  });
  it('fails with the problems, and --force does not override it', async () => {
    const a = await addArtifact('api', 'aaa', { builder: 'local:me@laptop', ref: 'refs/heads/main' });
    const b = await addArtifact('api', 'bbb');
    const forced = await planPromotion(request(a, 'production', { require, force: true, reason: 'please' }), ports);
    expect(forced.gates[1]).toMatchObject({
      status: 'failed',
      problems: ['it was built by "local:me@laptop", not the trusted builder "https://ci.example/builder"'],
    });
    expect(forced.allowed).toBe(false);
    expect(gateError(forced)).toMatchObject({ code: 'E_PROVENANCE_GATE' });
    expect(gateError(forced)?.message).toContain('not the trusted builder');
    const none = await planPromotion(request(b, 'production', { require }), ports);
    expect(none.gates[1]?.problems).toEqual(['it has no SLSA v1 provenance']);
  });
});

describe('planPromotion: the pointer move', () => {
  it('is a noop when the environment already points there: no entry, nothing written', async () => {
    const a = await addArtifact('api', 'aaa');
    await apply(await planPromotion(request(a, 'staging'), ports));
    const plan = await planPromotion(request(a, 'staging'), ports);
    expect(plan.move).toMatchObject({ from: a, to: a, noop: true });
    expect(plan.entry).toBeNull();
    const { result } = await apply(plan);
    expect(result.noop).toBe(true);
    expect(await readHistory(ports.target.backend, 'api', 'staging')).toHaveLength(1);
  });

  it('re-reads the pointer under the lock: a move made after planning is what the entry starts from', async () => {
    const a = await addArtifact('api', 'aaa');
    const b = await addArtifact('api', 'bbb');
    const planA = await planPromotion(request(a, 'staging'), ports);
    expect(planA.entry).toMatchObject({ from: null, sequence: 1 });
    await apply(await planPromotion(request(b, 'staging'), ports));
    const { result } = await apply(planA);
    expect(result.entry?.entry).toMatchObject({ from: b, to: a, sequence: 2 });
  });

  it('refuses a digest the store does not hold', async () => {
    const missing = `sha256:${'e'.repeat(64)}` as Digest;
    await expect(planPromotion(request(missing, 'staging'), ports)).rejects.toMatchObject({
      code: 'E_ARTIFACT_NOT_FOUND',
    });
  });
});

describe('planRollback', () => {
  it('goes to the digest before the current, or the one named from the history', async () => {
    const a = await addArtifact('api', 'aaa');
    const b = await addArtifact('api', 'bbb');
    const c = await addArtifact('api', 'ccc');
    for (const d of [a, b, c]) await apply(await planPromotion(request(d, 'production'), ports));
    const back = await planRollback({ name: 'api', environment: 'production', reason: 'bad deploy', who }, ports);
    expect(back).toMatchObject({ action: 'rollback', digest: b, gates: [], allowed: true, copy: null });
    expect(back.move).toMatchObject({ from: c, to: b, noop: false });
    expect(back.entry).toEqual({
      action: 'rollback',
      from: c,
      to: b,
      sequence: 4,
      who,
      reason: 'bad deploy',
      forced: false,
    });
    const named = await planRollback({ name: 'api', environment: 'production', to: a, reason: null, who }, ports);
    expect(named.move).toMatchObject({ from: c, to: a });
    const { result } = await apply(named);
    expect(result.entry?.entry).toMatchObject({ action: 'rollback', from: c, to: a, sequence: 4 });
  });

  it('refuses a digest outside the history and an environment without one', async () => {
    const a = await addArtifact('api', 'aaa');
    const b = await addArtifact('api', 'bbb');
    await expect(
      planRollback({ name: 'api', environment: 'production', reason: null, who }, ports),
    ).rejects.toMatchObject({ code: 'E_NO_HISTORY' });
    await apply(await planPromotion(request(a, 'production'), ports));
    await expect(
      planRollback({ name: 'api', environment: 'production', reason: null, who }, ports),
    ).rejects.toMatchObject({ code: 'E_NO_PREVIOUS' });
    await expect(
      planRollback({ name: 'api', environment: 'production', to: b, reason: null, who }, ports),
    ).rejects.toMatchObject({ code: 'E_NOT_IN_HISTORY' });
  });
});
