import { createHash } from 'node:crypto';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A digest over an ordered list of named parts. Each part is length-prefixed so that
 * `["ab", "c"]` and `["a", "bc"]` never collide.
 */
export function digestParts(parts: ReadonlyArray<readonly [string, string | Uint8Array | null]>): string {
  const hash = createHash('sha256');
  for (const [name, value] of parts) {
    const bytes = value === null ? null : typeof value === 'string' ? Buffer.from(value) : value;
    hash.update(`${name.length}:${name}:`);
    hash.update(bytes === null ? '-1:' : `${bytes.byteLength}:`);
    if (bytes !== null) hash.update(bytes);
  }
  return hash.digest('hex');
}
