import semver from 'semver';
import type { Problem } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';

export interface RootManifest {
  packageManager?: string;
  engines?: { node?: string; pnpm?: string };
}

/** A required version range and where it was declared. */
export interface VersionRequirement {
  tool: 'node' | 'pnpm';
  range: string;
  source: string;
}

export interface ToolchainFacts {
  node: string;
  pnpm: string | undefined;
  requirements: VersionRequirement[];
  /** `pnpm@10.34.9` from package.json, when declared. */
  packageManager: string | undefined;
}

/** Every version requirement the repo declares, from devkit.json and package.json. */
export function collectRequirements(ctx: Pick<ProjectContext, 'config'>, manifest: RootManifest): VersionRequirement[] {
  const out: VersionRequirement[] = [];
  const { toolchain } = ctx.config;
  if (toolchain?.node) out.push({ tool: 'node', range: toolchain.node, source: 'devkit.json toolchain.node' });
  if (toolchain?.pnpm) out.push({ tool: 'pnpm', range: toolchain.pnpm, source: 'devkit.json toolchain.pnpm' });
  if (manifest.engines?.node)
    out.push({ tool: 'node', range: manifest.engines.node, source: 'package.json engines.node' });
  if (manifest.engines?.pnpm)
    out.push({ tool: 'pnpm', range: manifest.engines.pnpm, source: 'package.json engines.pnpm' });
  return out;
}

function nodeFix(range: string): string {
  const min = semver.minVersion(range);
  const want = min ? String(min.major) : range;
  return `install Node ${range}, e.g. \`fnm install ${want}\`, \`nvm install ${want}\` or https://nodejs.org/`;
}

function pnpmFix(version: string): string {
  return `corepack enable pnpm && corepack prepare pnpm@${version} --activate   (or: npm install -g pnpm@${version})`;
}

/** Pure: compares versions found with the versions required. */
export function checkToolchain(facts: ToolchainFacts): Problem[] {
  const problems: Problem[] = [];
  const pinned = facts.packageManager?.match(/^pnpm@([^+]+)/)?.[1];
  for (const req of facts.requirements) {
    const found = req.tool === 'node' ? facts.node : facts.pnpm;
    if (!semver.validRange(req.range)) {
      problems.push({
        code: 'E_TOOLCHAIN_RANGE',
        kind: 'blocking',
        exitCode: 2,
        message: `${req.source} is not a valid semver range: ${JSON.stringify(req.range)}`,
        fix: `edit ${req.source.split(' ')[0]} and write a range such as ">=20.11"`,
      });
      continue;
    }
    if (found === undefined) {
      problems.push({
        code: 'E_TOOLCHAIN_MISSING',
        kind: 'blocking',
        exitCode: 3,
        message: `${req.tool} is not installed; ${req.source} requires ${req.range}`,
        fix:
          req.tool === 'pnpm' ? pnpmFix(pinned ?? semver.minVersion(req.range)?.version ?? '10') : nodeFix(req.range),
      });
      continue;
    }
    if (!semver.satisfies(found, req.range, { includePrerelease: true })) {
      problems.push({
        code: `E_TOOLCHAIN_${req.tool.toUpperCase()}`,
        kind: 'blocking',
        exitCode: 3,
        message: `${req.tool} ${found} does not satisfy ${req.range} (required by ${req.source})`,
        fix:
          req.tool === 'pnpm'
            ? pnpmFix(
                pinned && semver.satisfies(pinned, req.range)
                  ? pinned
                  : (semver.minVersion(req.range)?.version ?? req.range),
              )
            : nodeFix(req.range),
      });
    }
  }
  if (pinned && facts.pnpm === undefined && !facts.requirements.some((r) => r.tool === 'pnpm')) {
    problems.push({
      code: 'E_TOOLCHAIN_MISSING',
      kind: 'blocking',
      exitCode: 3,
      message: `pnpm is not installed; package.json packageManager pins pnpm@${pinned}`,
      fix: pnpmFix(pinned),
    });
  }
  return problems;
}
