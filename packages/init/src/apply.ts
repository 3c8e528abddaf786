import { join } from 'node:path';
import { writeFileAtomic } from '@devkit/core';
import type { InitPlan } from './plan.js';

/**
 * Writes the files the plan creates or updates, each atomically (a kill leaves the old or the
 * new file, never half of one), keeping an existing file's mode. Returns the paths written.
 */
export async function applyInit(plan: InitPlan): Promise<string[]> {
  const written: string[] = [];
  for (const file of plan.files) {
    if (file.action !== 'created' && file.action !== 'updated') continue;
    await writeFileAtomic(join(plan.root, file.path), file.after, file.mode ?? 0o644);
    written.push(file.path);
  }
  return written;
}
