/** What the root `prepare` script runs so a fresh clone's `pnpm install` puts devkit's hooks in place. */
export const HOOKS_INSTALL = 'devkit hooks install';

export interface PreparePlan {
  /** The new `prepare`, or undefined when it already installs devkit's hooks. */
  script: string | undefined;
  notes: string[];
}

/**
 * Merges devkit's hook install into an existing `prepare`: what it ran keeps running (husky
 * included), devkit's install goes last so its hooks path wins. `lefthook install` is the one
 * exception: it exits 1 when core.hooksPath is set, so once devkit has set it every
 * `pnpm install` would fail; it is dropped, with a note.
 */
export function planPrepare(current: string | undefined): PreparePlan {
  const notes: string[] = [];
  if (current !== undefined && current.includes(HOOKS_INSTALL)) return { script: undefined, notes };
  const parts = (current ?? '')
    .split('&&')
    .map((p) => p.trim())
    .filter(Boolean);
  const kept = parts.filter((part) => {
    if (!/^(?:(?:npx|pnpm(?:\s+exec)?)\s+)?lefthook\s+install\b/.test(part)) return true;
    notes.push(
      `package.json scripts.prepare: "${part}" dropped: lefthook refuses to install (exit 1) once core.hooksPath is set, which devkit hooks install does, so it would fail every pnpm install`,
    );
    return false;
  });
  return { script: [...kept, HOOKS_INSTALL].join(' && '), notes };
}
