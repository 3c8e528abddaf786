import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { FindingKind, LockfileFinding, PnpmMajorChoice } from '@devkit/lockfile';
import { recordLockfileFindings } from '../ci/findings.js';
import { loadProject } from '../context.js';
import { choosePnpmMajor } from '../flows/pnpm-major.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO, Style } from '../spec.js';

/** Past this many findings of one code, people get a count (all of them are in --json). */
const SHOWN_PER_CODE = 20;

const KIND_TITLES: Record<FindingKind, string> = {
  drift: 'lockfile out of date (pnpm install --frozen-lockfile would fail)',
  integrity: 'integrity',
  registry: 'registries',
};

export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  // loaded here, not at startup: only this command needs it; started before the config is read,
  // so that fetching its modules overlaps that
  const lockfile = import('@devkit/lockfile');
  const ctx = await loadProject(input, io);
  const { checkLockfile, inspectRepo } = await lockfile;
  const root = lockfileRoot(resolve(input.cwd), ctx.root);
  const pnpm = await choosePnpmMajor(root, ctx.config, ctx.env);
  const repo = await inspectRepo({ root, env: input.env, allowedRegistries: ctx.config.lockfile?.registries, pnpm });
  const findings = checkLockfile(repo);
  const counts: Record<FindingKind, number> = { drift: 0, integrity: 0, registry: 0 };
  for (const finding of findings) counts[finding.kind]++;
  recordLockfileFindings(io.ci, root, findings);
  return {
    exitCode: findings.length > 0 ? 1 : 0,
    data: {
      ok: findings.length === 0,
      root,
      pnpm,
      packages: repo.lockfile.packages.length,
      importers: repo.projects.length,
      counts,
      findings,
    },
    human: (s) => [
      ...renderFindings(findings, repo.lockfile.packages.length, repo.projects.length, s),
      s.dim(describeRules(pnpm)),
    ],
  };
}

/**
 * The pnpm workspace whose lockfile is checked: the nearest folder from the cwd up to the repo
 * root that has pnpm-lock.yaml or pnpm-workspace.yaml (a workspace nested in a repo has its
 * own), else the repo root.
 */
function lockfileRoot(cwd: string, repoRoot: string): string {
  if (relative(repoRoot, cwd).startsWith('..')) return repoRoot;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-lock.yaml')) || existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dir === repoRoot || dirname(dir) === dir) return repoRoot;
  }
}

/** "pnpm 11 rules (package.json packageManager)": which pnpm's verdict the check gives, and why that one. */
function describeRules(pnpm: PnpmMajorChoice): string {
  return `pnpm ${pnpm.major} rules (${pnpm.source})`;
}

function renderFindings(findings: LockfileFinding[], packages: number, projects: number, s: Style): string[] {
  if (findings.length === 0) {
    return [
      `${s.green('✓')} pnpm-lock.yaml is up to date with ${projects} project${projects === 1 ? '' : 's'}; ${packages} packages pinned, from allowed registries`,
    ];
  }
  const lines: string[] = [];
  for (const kind of ['drift', 'integrity', 'registry'] as const) {
    const ofKind = findings.filter((f) => f.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(s.bold(`${KIND_TITLES[kind]}: ${ofKind.length}`));
    const shown = new Map<string, number>();
    for (const finding of ofKind) {
      const n = (shown.get(finding.code) ?? 0) + 1;
      shown.set(finding.code, n);
      if (n > SHOWN_PER_CODE) continue;
      const where = finding.line
        ? s.dim(` (pnpm-lock.yaml:${finding.line})`)
        : finding.file
          ? s.dim(` (${finding.file})`)
          : '';
      lines.push(`  ${s.red('✗')} ${s.dim(finding.code)} ${finding.message}${where}`);
    }
    for (const [code, n] of shown) {
      if (n > SHOWN_PER_CODE) lines.push(`  … and ${n - SHOWN_PER_CODE} more ${code} (all are listed by --json)`);
    }
    const fixes = [...new Set(ofKind.map((f) => f.fix))];
    for (const fix of fixes.slice(0, 3)) lines.push(`  ${s.dim('fix:')} ${fix}`);
  }
  lines.push(s.yellow(`${findings.length} finding${findings.length === 1 ? '' : 's'} in pnpm-lock.yaml`));
  return lines;
}
