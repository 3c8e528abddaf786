import { usageError } from '@devkit/core';
import { isDigest, type Digest } from './digest.js';

/** What a user names an artifact by. */
export type ArtifactRef =
  | { kind: 'digest'; name: string | undefined; digest: Digest }
  | { kind: 'tag'; name: string; tag: string }
  | { kind: 'latest'; name: string };

const NAME_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function isArtifactName(name: string): boolean {
  return NAME_RE.test(name);
}

/** `name@sha256:…`, `name:tag`, `name` (its newest build) or a bare `sha256:…`. */
export function parseRef(text: string): ArtifactRef {
  const bad = (why: string) =>
    usageError('E_BAD_REF', `"${text}" is not an artifact reference: ${why}`, {
      hint: 'use <name>@sha256:<digest>, <name>:<tag> or <name>; `devkit artifact ls` lists them',
    });
  if (isDigest(text)) return { kind: 'digest', name: undefined, digest: text };
  const at = text.indexOf('@');
  if (at !== -1) {
    const name = text.slice(0, at);
    const digest = text.slice(at + 1);
    if (!isArtifactName(name)) throw bad(`"${name}" is not a valid name (lower-case letters, digits, . _ -)`);
    if (!isDigest(digest)) throw bad('the part after @ must be sha256:<64 hex digits>');
    return { kind: 'digest', name, digest };
  }
  const colon = text.lastIndexOf(':');
  if (colon !== -1) {
    const name = text.slice(0, colon);
    const tag = text.slice(colon + 1);
    if (!isArtifactName(name)) throw bad(`"${name}" is not a valid name`);
    if (!TAG_RE.test(tag)) throw bad(`"${tag}" is not a valid tag`);
    return { kind: 'tag', name, tag };
  }
  if (!isArtifactName(text)) throw bad('not a valid name (lower-case letters, digits, . _ -)');
  return { kind: 'latest', name: text };
}

export function formatRef(ref: ArtifactRef): string {
  if (ref.kind === 'digest') return ref.name ? `${ref.name}@${ref.digest}` : ref.digest;
  if (ref.kind === 'tag') return `${ref.name}:${ref.tag}`;
  return ref.name;
}
