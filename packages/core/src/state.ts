import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileIfExists, writeFileAtomic } from './fs.js';

/** `.devkit/state.json`: what each step last completed, keyed by step id. */
export interface DevkitState {
  version: 1;
  steps: Record<string, { fingerprint: string; completedAt: string }>;
}

export function statePath(root: string): string {
  return join(root, '.devkit', 'state.json');
}

/**
 * Reads the state file. A missing or unreadable one (a torn write cannot happen, but a hand
 * edit can) is treated as empty: the worst outcome is that steps run again.
 */
export async function readState(root: string): Promise<DevkitState> {
  const text = await readFileIfExists(statePath(root));
  if (text === undefined) return { version: 1, steps: {} };
  try {
    const parsed = JSON.parse(text) as Partial<DevkitState>;
    if (parsed.version === 1 && parsed.steps && typeof parsed.steps === 'object') {
      return { version: 1, steps: parsed.steps };
    }
  } catch {
    // fall through: start afresh
  }
  return { version: 1, steps: {} };
}

export async function writeState(root: string, state: DevkitState): Promise<void> {
  await writeFileAtomic(statePath(root), `${JSON.stringify(state, null, 2)}\n`);
  await ignoreOwnFolder(root);
}

/**
 * Makes `.devkit/` ignore itself (a `.gitignore` of `*` inside it), so that `git status`,
 * `git add -A` and every tool that reads git's ignore rules leave devkit's state, store and
 * service data alone whether or not the repo's own .gitignore lists the folder. Called once
 * devkit has written there; writes nothing when the folder does not exist or already ignores
 * itself.
 */
export async function ignoreOwnFolder(root: string): Promise<void> {
  const dir = join(root, '.devkit');
  if (!existsSync(dir) || existsSync(join(dir, '.gitignore'))) return;
  await writeFileAtomic(join(dir, '.gitignore'), '# Written by devkit: nothing in .devkit/ belongs in git.\n*\n');
}
