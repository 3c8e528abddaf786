import { createHash } from 'node:crypto';
import { usageError } from '@devkit/core';

/** `sha256:<64 hex>`, the only algorithm devkit writes or accepts. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): value is Digest {
  return DIGEST_RE.test(value);
}

/** Validates a digest read from outside (an argument, a manifest): a bad one is a usage error. */
export function parseDigest(value: string, where = 'digest'): Digest {
  if (!isDigest(value)) {
    throw usageError('E_BAD_DIGEST', `${where}: expected sha256:<64 lower-case hex digits>, found "${value}"`);
  }
  return value;
}

export function digestOf(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part, as used in blob paths. */
export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** A short form for people: the first 12 hex digits. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
