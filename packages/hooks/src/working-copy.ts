import { stat } from 'node:fs/promises';
import { writeFileAtomic } from '@devkit/core';

/** Writes a working-tree file atomically, keeping its permission bits (an executable stays one). */
export async function writeKeepingMode(abs: string, content: string | Uint8Array): Promise<void> {
  let mode = 0o644;
  try {
    mode = (await stat(abs)).mode & 0o7777;
  } catch {
    // a new file: default mode
  }
  await writeFileAtomic(abs, content, mode);
}
