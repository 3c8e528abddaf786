import { findingError, type DevkitError } from '@devkit/core';
import { readManifest, referrersOf, type Digest, type OciStore } from '@devkit/artifact';
import type { RegistryClient } from '@devkit/registry';
import type { EnvironmentBackend } from './environment-backend.js';
import { checkProvenance, type ProvenanceRequirement } from './gates.js';
import type { HistoryEntry } from './history.js';
import { readHistory, rollbackTarget } from './promote.js';

/** Where an environment lives: its backend, and the registry client when it is registry-backed. */
export interface EnvironmentPort {
  backend: EnvironmentBackend;
  client?: RegistryClient | undefined;
}

/** What planning reads: the local store (the artifact's blobs), the target environment and the `from` one. */
export interface PromotionPorts {
  store: OciStore;
  target: EnvironmentPort;
  /** The environment named by `from` (environments.<env>.from), when there is one. */
  source?: EnvironmentPort | undefined;
}

export interface PromotionRequest {
  name: string;
  environment: string;
  digest: Digest;
  force: boolean;
  reason: string | null;
  who: HistoryEntry['who'];
  /** environments.<env>.from: only digests that have been there may enter. */
  from?: string | undefined;
  /** environments.<env>.require: what the provenance must say. */
  require?: ProvenanceRequirement | undefined;
}

export interface RollbackRequest {
  name: string;
  environment: string;
  /** --to: a digest from the history; default the one before the current. */
  to?: Digest | undefined;
  reason: string | null;
  who: HistoryEntry['who'];
}

/** One gate's verdict. `overridden` is the `from` gate under --force (the reason says why). */
export interface GateVerdict {
  gate: 'from' | 'require';
  status: 'passed' | 'failed' | 'overridden' | 'not-configured';
  /** The environment the `from` gate looks at, or the one whose `require` applies. */
  environment: string | null;
  reason: string;
  /** The provenance rules the artifact breaks (the `require` gate). */
  problems: string[];
  /** The `require` gate's rule (environments.<env>.require). */
  required?: ProvenanceRequirement | undefined;
}

/** The blobs a registry-backed environment lacks, to be sent (or mounted) before the pointer moves. */
export interface BlobCopyPlan {
  registry: string;
  repository: string;
  blobs: Array<{ digest: Digest; size: number; mediaType: string }>;
  /** Another repository on the same registry host (the `from` environment's) that the blobs are mounted from. */
  mountFrom: string | null;
}

export interface PointerMovePlan {
  name: string;
  environment: string;
  from: Digest | null;
  to: Digest;
  /** The environment already points there: nothing is written, nobody is notified. */
  noop: boolean;
  /** A tag that lags its history's newest entry (an interrupted run), rolled forward to this digest first. */
  repairTag: Digest | null;
}

/** The history entry the move will append (the sequence is re-read under the lock). */
export interface PlannedHistoryEntry {
  action: 'promote' | 'rollback';
  from: Digest | null;
  to: Digest;
  sequence: number;
  who: HistoryEntry['who'];
  reason: string | null;
  forced: boolean;
}

/** A promote or rollback, decided but not done: plain data, printed by --dry-run, carried out by applyPromotion. */
export interface PromotionPlan {
  action: 'promote' | 'rollback';
  name: string;
  environment: string;
  digest: Digest;
  gates: GateVerdict[];
  /** Every gate passed, was overridden or is not configured. */
  allowed: boolean;
  copy: BlobCopyPlan | null;
  move: PointerMovePlan;
  entry: PlannedHistoryEntry | null;
}

/**
 * Decides a promotion without changing anything: the `from` gate (the digest has been in that
 * environment, or --force with a reason), the provenance gate (nothing overrides it), the
 * blobs a registry-backed environment lacks, and the pointer move with its history entry.
 * When a gate fails the plan says so (`allowed: false`) and looks no further.
 */
export async function planPromotion(request: PromotionRequest, ports: PromotionPorts): Promise<PromotionPlan> {
  const { name, environment, digest } = request;
  const gates = [await fromGate(request, ports), await requireGate(request, ports)];
  const allowed = gates.every((g) => g.status !== 'failed');
  const copy = allowed ? await planCopy(name, digest, ports) : null;
  if (allowed && !copy) await requireArtifact(ports.target.backend, name, digest);
  const move = await planMove(ports.target.backend, name, environment, digest);
  return {
    action: 'promote',
    name,
    environment,
    digest,
    gates,
    allowed,
    copy,
    move: move.plan,
    entry: move.plan.noop
      ? null
      : {
          action: 'promote',
          from: move.plan.from,
          to: digest,
          sequence: move.sequence,
          who: request.who,
          reason: request.reason,
          forced: request.force,
        },
  };
}

/**
 * Decides a rollback: the digest named with --to (which must be in the environment's history)
 * or the one before the current; rollbacks pass no gates (the digest has been there).
 */
export async function planRollback(
  request: RollbackRequest,
  ports: Pick<PromotionPorts, 'target'>,
): Promise<PromotionPlan> {
  const { name, environment } = request;
  const digest = rollbackTarget(
    await readHistory(ports.target.backend, name, environment),
    name,
    environment,
    request.to,
  );
  await requireArtifact(ports.target.backend, name, digest);
  const move = await planMove(ports.target.backend, name, environment, digest);
  return {
    action: 'rollback',
    name,
    environment,
    digest,
    gates: [],
    allowed: true,
    copy: null,
    move: move.plan,
    entry: move.plan.noop
      ? null
      : {
          action: 'rollback',
          from: move.plan.from,
          to: digest,
          sequence: move.sequence,
          who: request.who,
          reason: request.reason,
          forced: false,
        },
  };
}

/** The error a refused plan ends with: the first failed gate's, as promote has always reported it. */
export function gateError(plan: PromotionPlan): DevkitError | null {
  const failed = plan.gates.find((g) => g.status === 'failed');
  if (!failed) return null;
  const { name, digest, environment: env } = plan;
  if (failed.gate === 'from') {
    const from = failed.environment ?? '?';
    return findingError(
      'E_PROMOTION_GATE',
      `${name}@${digest} has never been in ${from}, and environments.${env}.from = "${from}" only lets digests that have been there into ${env}`,
      {
        hint: `promote it to ${from} first (\`devkit promote ${name}@${digest} --to ${from}\`), or override with --force --reason "…"`,
      },
    );
  }
  return findingError(
    'E_PROVENANCE_GATE',
    `${name}@${digest} may not enter ${env} (environments.${env}.require): ${failed.problems.join('; ')}`,
    {
      hint: `build it on the trusted builder from a protected ref (${(failed.required?.refs ?? []).join(', ') || 'any ref'}); --force does not override this rule`,
    },
  );
}

async function fromGate(request: PromotionRequest, ports: PromotionPorts): Promise<GateVerdict> {
  const from = request.from;
  if (!from)
    return {
      gate: 'from',
      status: 'not-configured',
      environment: null,
      reason: `environments.${request.environment}.from is not set`,
      problems: [],
    };
  const source = ports.source?.backend;
  const entry = source
    ? (await readHistory(source, request.name, from)).find((h) => h.entry.to === request.digest)
    : undefined;
  if (entry)
    return {
      gate: 'from',
      status: 'passed',
      environment: from,
      reason: `it has been in ${from} (entry ${entry.entry.sequence})`,
      problems: [],
    };
  if (request.force)
    return {
      gate: 'from',
      status: 'overridden',
      environment: from,
      reason: `it has never been in ${from}; --force: ${request.reason ?? ''}`,
      problems: [],
    };
  return { gate: 'from', status: 'failed', environment: from, reason: `it has never been in ${from}`, problems: [] };
}

async function requireGate(request: PromotionRequest, ports: PromotionPorts): Promise<GateVerdict> {
  const require = request.require;
  const env = request.environment;
  if (!require || (!require.builder && !require.refs))
    return {
      gate: 'require',
      status: 'not-configured',
      environment: env,
      reason: `environments.${env}.require is not set`,
      problems: [],
    };
  const problems = checkProvenance(await ports.target.backend.provenance(request.name, request.digest), require);
  const wanted = `built by ${require.builder ?? 'any builder'} from ${(require.refs ?? []).join(', ') || 'any ref'}`;
  return {
    gate: 'require',
    status: problems.length ? 'failed' : 'passed',
    environment: env,
    reason: problems.length ? `it must be ${wanted}` : `it was ${wanted}`,
    problems,
    required: require,
  };
}

/**
 * The blobs a registry-backed target lacks (HEAD on each), from the local store's copy of the
 * artifact and its referrers. From an environment on the same registry host they are mounted,
 * not sent. Null when the target is the local store or already holds the artifact.
 */
async function planCopy(name: string, digest: Digest, ports: PromotionPorts): Promise<BlobCopyPlan | null> {
  const { backend, client } = ports.target;
  if (!client || (await backend.artifact(name, digest))) return null;
  if (!(await ports.store.hasBlob(digest))) {
    throw findingError(
      'E_ARTIFACT_NOT_FOUND',
      `${name}@${digest} is neither in ${backend.label} nor in the local store`,
      { hint: `pull it (\`devkit artifact pull ${name}@${digest} --registry <url>\`) or build it` },
    );
  }
  const repository = client.repo(name);
  const manifests = [digest, ...referrersOf(await ports.store.readIndex(), digest).map((d) => d.digest)];
  const blobs: BlobCopyPlan['blobs'] = [];
  const seen = new Set<string>();
  for (const m of manifests) {
    const manifest = await readManifest(ports.store, m);
    for (const blob of [manifest.config, ...manifest.layers]) {
      if (seen.has(blob.digest)) continue;
      seen.add(blob.digest);
      if (!(await client.hasBlob(repository, blob.digest)))
        blobs.push({ digest: blob.digest, size: blob.size, mediaType: blob.mediaType });
    }
  }
  const source = ports.source?.client;
  const mountFrom =
    source && source.host === client.host && source.repo(name) !== repository ? source.repo(name) : null;
  return { registry: client.label, repository, blobs, mountFrom };
}

async function requireArtifact(backend: EnvironmentBackend, name: string, digest: Digest): Promise<void> {
  if (await backend.artifact(name, digest)) return;
  throw findingError('E_ARTIFACT_NOT_FOUND', `${name}@${digest} is not in ${backend.label}`, {
    hint: `\`devkit artifact ls\` lists what the store holds; build it (\`devkit build\`) or push it first`,
  });
}

/** Where the pointer is now (the history's newest entry is the truth; a lagging tag is noted). */
async function planMove(
  backend: EnvironmentBackend,
  name: string,
  environment: string,
  to: Digest,
): Promise<{ plan: PointerMovePlan; sequence: number }> {
  const { tag, head } = await backend.pointers(name, environment);
  const newest = head ? (await backend.readEntry(name, head)).entry : undefined;
  const from = newest?.to ?? tag ?? null;
  const repairTag = newest && newest.to !== tag ? newest.to : null;
  return { plan: { name, environment, from, to, noop: from === to, repairTag }, sequence: (newest?.sequence ?? 0) + 1 };
}
