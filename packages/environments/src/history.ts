import { findingError } from '@devkit/core';
import {
  type Digest,
  ANNOTATIONS,
  EMPTY_JSON,
  HISTORY_TYPE,
  MEDIA_TYPES,
  type ArtifactManifest,
  type Descriptor,
  digestOf,
} from '@devkit/artifact';

/** One promote or rollback of an environment: appended, never rewritten. */
export interface HistoryEntry {
  schema: 'devkit.history-entry/v1';
  name: string;
  environment: string;
  action: 'promote' | 'rollback';
  /** What the environment pointed to before (null for the first entry). */
  from: Digest | null;
  to: Digest;
  /** 1 for the first entry of an environment, then +1: a gap or a repeat shows a lost entry. */
  sequence: number;
  who: { git: string | null; user: string | null; ci: string | null };
  when: string;
  reason: string | null;
  forced: boolean;
  devkitVersion: string;
}

export const PREVIOUS_ANNOTATION = ANNOTATIONS.previous;

/** The tag holding the newest history entry of an environment (`<name>:<env>` holds the artifact). */
export function historyTag(env: string): string {
  return `history.${env}`;
}

/**
 * The manifest of a history entry (pure): its config is the entry, its subject the artifact it
 * points to (so the entry is a referrer of that artifact), and it names the previous entry.
 * The one empty layer is there because some registries refuse a manifest without layers.
 */
export function historyManifest(entry: Descriptor, subject: Descriptor, previous: Digest | null): ArtifactManifest {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    artifactType: HISTORY_TYPE,
    config: { mediaType: MEDIA_TYPES.historyEntry, digest: entry.digest, size: entry.size },
    layers: [{ mediaType: MEDIA_TYPES.empty, digest: digestOf(EMPTY_JSON), size: EMPTY_JSON.length }],
    subject: { mediaType: MEDIA_TYPES.manifest, digest: subject.digest, size: subject.size },
    annotations: {
      [ANNOTATIONS.name]: subject.annotations?.[ANNOTATIONS.name] ?? '',
      ...(previous ? { [PREVIOUS_ANNOTATION]: previous } : {}),
    },
  };
}

/** Checks a chain read newest first: sequences count down by one and each `from` is the next entry's `to`. */
export function checkChain(entries: readonly HistoryEntry[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i + 1 < entries.length; i++) {
    const newer = entries[i]!;
    const older = entries[i + 1]!;
    if (newer.sequence !== older.sequence + 1) problems.push(`entry ${newer.sequence} follows entry ${older.sequence}`);
    if (newer.from !== older.to)
      problems.push(
        `entry ${newer.sequence} starts from ${newer.from}, but entry ${older.sequence} went to ${older.to}`,
      );
  }
  return problems;
}

export function notInHistory(name: string, env: string, digest: string) {
  return findingError('E_NOT_IN_HISTORY', `${name}@${digest} has never been in ${env}`, {
    hint: `\`devkit history ${name} --env ${env}\` lists the digests you can roll back to`,
  });
}
