import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestParts, type Step, type StepCheck } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import { findPnpm, pnpmVersion } from './detect.js';

import type { RootManifest, ToolchainFacts } from './toolchain-check.js';

function readRootManifest(root: string): { manifest: RootManifest; text: string } {
  try {
    const text = readFileSync(join(root, 'package.json'), 'utf8');
    return { manifest: JSON.parse(text) as RootManifest, text };
  } catch {
    return { manifest: {}, text: '' };
  }
}

/** Bootstrap step: the node and pnpm on this machine satisfy what the repo declares. */
export const toolchainStep: Step<ProjectContext> = {
  id: 'toolchain',
  title: 'toolchain',
  async fingerprint(ctx) {
    const { text } = readRootManifest(ctx.root);
    return digestParts([
      ['node', process.version],
      ['pnpm', findPnpm(ctx.env).identity],
      ['toolchain', JSON.stringify(ctx.config.toolchain ?? null)],
      ['package.json', text],
    ]);
  },
  async check(ctx): Promise<StepCheck> {
    // semver is loaded only when the fingerprint missed: the warm path never needs it.
    const { checkToolchain, collectRequirements } = await import('./toolchain-check.js');
    const { manifest } = readRootManifest(ctx.root);
    const requirements = collectRequirements(ctx, manifest);
    const needsPnpm = requirements.some((r) => r.tool === 'pnpm') || manifest.packageManager?.startsWith('pnpm@');
    const pnpm = needsPnpm ? await pnpmVersion(findPnpm(ctx.env), ctx.root, ctx.env) : undefined;
    const facts: ToolchainFacts = {
      node: process.version.slice(1),
      pnpm,
      requirements,
      packageManager: manifest.packageManager,
    };
    const problems = checkToolchain(facts);
    const found = `node ${facts.node}${pnpm ? `, pnpm ${pnpm}` : ''}`;
    return {
      upToDate: problems.length === 0,
      summary: problems.length === 0 ? found : `${found}: ${problems.length} problem(s)`,
      problems,
    };
  },
  async run() {
    // Nothing to do: a toolchain problem is always blocking and reported by check().
  },
};
