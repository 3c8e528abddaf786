import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@devkit/core';

/**
 * Copies a folder with its modes and owners (`cp -a`; as root that keeps the service user's
 * ownership), cloning blocks where the filesystem can (reflinks on btrfs/xfs): a snapshot of a
 * development database then costs seconds, not minutes.
 */
export async function copyTree(from: string, to: string, cwd: string): Promise<void> {
  const args = process.platform === 'linux' ? ['-a', '--reflink=auto', from, to] : ['-a', from, to];
  await runCommand('cp', args, {
    cwd,
    failure: { code: 'E_SNAPSHOT_COPY_FAILED', exitCode: 1, hint: 'check free disk space and permissions of .devkit/' },
  });
}

/** Bytes under a folder (apparent sizes; symlinks not followed). */
export function treeSize(path: string): number {
  let total = 0;
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  for (const entry of readdirSync(path)) total += treeSize(join(path, entry));
  return total;
}
