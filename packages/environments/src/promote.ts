import { findingError } from '@devkit/core';
import type { Digest } from '@devkit/artifact';
import type { EnvironmentBackend } from './environment-backend.js';
import { notInHistory, type HistoryEntry } from './history.js';

/** A history entry with the digest of the manifest that holds it. */
export interface HistoryItem {
  digest: Digest;
  entry: HistoryEntry;
}

/** An environment's history, newest first (at most `limit` entries). */
export async function readHistory(
  backend: EnvironmentBackend,
  name: string,
  env: string,
  limit = Infinity,
): Promise<HistoryItem[]> {
  const out: HistoryItem[] = [];
  let cursor = (await backend.pointers(name, env)).head ?? null;
  const seen = new Set<string>();
  while (cursor && out.length < limit) {
    if (seen.has(cursor)) throw findingError('E_HISTORY_CYCLE', `the history of ${name} in ${env} loops at ${cursor}`);
    seen.add(cursor);
    const { entry, previous } = await backend.readEntry(name, cursor);
    out.push({ digest: cursor, entry });
    cursor = previous;
  }
  return out;
}

export interface PointerMove {
  name: string;
  env: string;
  to: Digest;
  action: 'promote' | 'rollback';
  reason: string | null;
  forced: boolean;
  who: HistoryEntry['who'];
  devkitVersion: string;
  now: () => Date;
}

export interface PointerMoveResult {
  noop: boolean;
  from: Digest | null;
  to: Digest;
  entry: HistoryItem | null;
  /** Set when an earlier run died between the history and the tag: the tag was rolled forward first. */
  repairedTag: Digest | null;
}

/**
 * Moves `<name>:<env>` to a digest and appends the history entry, holding the backend's
 * lock for the whole read-decide-write. The history is the source of truth: a tag that
 * lags its newest entry (a run killed between the two writes) is rolled forward first.
 * Moving to the digest the environment already has is a no-op, recorded nowhere.
 */
export async function movePointer(backend: EnvironmentBackend, move: PointerMove): Promise<PointerMoveResult> {
  const artifact = await backend.artifact(move.name, move.to);
  if (!artifact) {
    throw findingError('E_ARTIFACT_NOT_FOUND', `${move.name}@${move.to} is not in ${backend.label}`, {
      hint: `\`devkit artifact ls\` lists what the store holds; build it (\`devkit build\`) or push it first`,
    });
  }
  return backend.lock(move.name, move.env, async () => {
    const { tag, head } = await backend.pointers(move.name, move.env);
    const newest = head ? await backend.readEntry(move.name, head) : undefined;
    let repairedTag: Digest | null = null;
    if (newest && newest.entry.to !== tag) {
      const target = await backend.artifact(move.name, newest.entry.to);
      if (target) {
        await backend.moveTag(move.name, move.env, target);
        repairedTag = newest.entry.to;
      }
    }
    const from = newest?.entry.to ?? tag ?? null;
    if (from === move.to) return { noop: true, from, to: move.to, entry: null, repairedTag };
    const entry: HistoryEntry = {
      schema: 'devkit.history-entry/v1',
      name: move.name,
      environment: move.env,
      action: move.action,
      from,
      to: move.to,
      sequence: (newest?.entry.sequence ?? 0) + 1,
      who: move.who,
      when: move.now().toISOString(),
      reason: move.reason,
      forced: move.forced,
      devkitVersion: move.devkitVersion,
    };
    const digest = await backend.append(move.name, move.env, entry, head ?? null, artifact);
    return { noop: false, from, to: move.to, entry: { digest, entry }, repairedTag };
  });
}

/** The digest a rollback goes to (pure, over the history newest first): the one named (which must be in the history), or the one before the current. */
export function rollbackTarget(
  history: readonly HistoryItem[],
  name: string,
  env: string,
  to: Digest | undefined,
): Digest {
  if (history.length === 0) {
    throw findingError('E_NO_HISTORY', `${name} has no history in ${env}: there is nothing to roll back to`, {
      hint: `promote a digest first: \`devkit promote ${name}@<digest> --to ${env}\``,
    });
  }
  if (to) {
    if (!history.some((h) => h.entry.to === to)) throw notInHistory(name, env, to);
    return to;
  }
  const previous = history[0]!.entry.from;
  if (!previous) {
    throw findingError(
      'E_NO_PREVIOUS',
      `${name} in ${env} has only ever pointed at ${history[0]!.entry.to}: there is no previous digest`,
      {
        hint: `name one with --to, from \`devkit history ${name} --env ${env}\``,
      },
    );
  }
  return previous;
}

/** Whether a digest has ever been in an environment (the `from` promotion gate). */
export async function hasBeenIn(
  backend: EnvironmentBackend,
  name: string,
  env: string,
  digest: Digest,
): Promise<boolean> {
  return (await readHistory(backend, name, env)).some((h) => h.entry.to === digest);
}
