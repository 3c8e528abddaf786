import { checkProvenance, hasBeenIn } from '@devkit/environments';
import { parseRef, shortDigest } from '@devkit/artifact';
import { pushArtifact, type TransferReport } from '@devkit/registry';
import { findingError, usageError } from '@devkit/core';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { actor, environmentBackend, environmentConfig, moveAndNotify, notifyMoveFailure, openProjectStore, requireKnownName } from './artifact-common.js';

/**
 * `devkit promote <name>@<digest> --to <env>`: points the environment at those bytes (never a
 * rebuild), after the gates: `from` (the digest must have been in that environment; --force
 * --reason overrides) and `require` (trusted builder and protected ref; nothing overrides).
 */
export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const started = performance.now();
  const ctx = await loadProject(input, io);
  const ref = parseRef(String(input.args.ref));
  if (ref.kind !== 'digest' || !ref.name) {
    throw usageError('E_BAD_REF', `promote takes <name>@sha256:<digest>, got "${String(input.args.ref)}"`, { hint: 'the digests are in `devkit artifact ls` or `devkit build --json`' });
  }
  const env = typeof input.flags.to === 'string' ? input.flags.to : '';
  if (!env) throw usageError('E_MISSING_FLAG', 'promote needs --to <env>', { hint: `devkit promote ${ref.name}@${ref.digest} --to staging` });
  const force = input.flags.force === true;
  const reason = typeof input.flags.reason === 'string' && input.flags.reason.trim() ? input.flags.reason.trim() : null;
  if (force && !reason) throw usageError('E_FORCE_WITHOUT_REASON', '--force needs --reason "…": a forced promotion says why in the history', { hint: `add --reason "hotfix for …"` });
  const envConfig = environmentConfig(ctx, env);
  const store = await openProjectStore(ctx);
  await requireKnownName(store, ref.name);
  const who = await actor(ctx);
  const name = ref.name;
  const digest = ref.digest;
  try {
    const backend = await environmentBackend(ctx, env);
    if (envConfig.from) {
      const gateBackend = await environmentBackend(ctx, envConfig.from);
      if (!(await hasBeenIn(gateBackend, name, envConfig.from, digest)) && !force) {
        throw findingError('E_PROMOTION_GATE', `${name}@${digest} has never been in ${envConfig.from}, and environments.${env}.from = "${envConfig.from}" only lets digests that have been there into ${env}`, {
          hint: `promote it to ${envConfig.from} first (\`devkit promote ${name}@${digest} --to ${envConfig.from}\`), or override with --force --reason "…"`,
        });
      }
    }
    if (envConfig.require) {
      const problems = checkProvenance(await backend.provenance(name, digest), envConfig.require);
      if (problems.length > 0) {
        throw findingError('E_PROVENANCE_GATE', `${name}@${digest} may not enter ${env} (environments.${env}.require): ${problems.join('; ')}`, {
          hint: `build it on the trusted builder from a protected ref (${(envConfig.require.refs ?? []).join(', ') || 'any ref'}); --force does not override this rule`,
        });
      }
    }
    // An environment on a registry gets the artifact's blobs first — only those it lacks.
    let pushed: TransferReport | null = null;
    if (backend.client && !(await backend.artifact(name, digest))) {
      if (!(await store.hasBlob(digest))) {
        throw findingError('E_ARTIFACT_NOT_FOUND', `${name}@${digest} is neither in ${backend.label} nor in the local store`, { hint: `pull it (\`devkit artifact pull ${name}@${digest} --registry <url>\`) or build it` });
      }
      // From an environment on the same registry (another namespace), blobs are mounted, not sent.
      const source = envConfig.from ? await environmentBackend(ctx, envConfig.from) : undefined;
      const mountFrom = source?.client && source.client.host === backend.client.host ? source.client.repo(name) : undefined;
      pushed = await pushArtifact(store, backend.client, name, digest, io.reporter, mountFrom);
    }
    const { result, webhooks } = await moveAndNotify(ctx, io, store, backend, { name, env, to: digest, action: 'promote', reason, forced: force, who }, started);
    return {
      exitCode: 0,
      data: { ok: true, name, environment: env, durationMs: Math.round((performance.now() - started) * 10) / 10, ...result, pushed, webhooks },
      human: (s) => [
        ...(result.repairedTag ? [s.yellow(`${name}:${env} lagged its history (an interrupted run): moved it to ${shortDigest(result.repairedTag)} first`)] : []),
        result.noop
          ? `${name}:${env} is already ${digest}: nothing to do`
          : `${s.green('✓')} ${name}:${env} ${result.from ? shortDigest(result.from) : '(new)'} → ${shortDigest(digest)}${force ? s.yellow(' (forced)') : ''} (entry ${result.entry?.entry.sequence})`,
      ],
    };
  } catch (error) {
    await notifyMoveFailure(ctx, io, { kind: 'promote', name, env, to: digest, who, started }, error);
    throw error;
  }
}
