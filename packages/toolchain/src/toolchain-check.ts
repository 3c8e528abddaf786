import type { Problem } from '@devkit/core';
import type { ActiveToolchainState } from './active.js';
import { describePin, type RepoPins } from './pins.js';
import type { ToolChoice, ToolchainPlan } from './toolchain.js';

/** What the toolchain step found: its problems, and whether provisioning has work to do. */
export interface ToolchainVerdict {
  upToDate: boolean;
  summary: string;
  problems: Problem[];
  /** Pin warnings (an `lts/*` beside a real pin): said, never blocking. */
  notes: string[];
}

function describeChoice(choice: ToolChoice): string {
  const version = choice.version ?? `${choice.wanted.pins.map((p) => p.raw.trim()).join(' ')} (newest published)`;
  const where = choice.from === 'host' ? 'on PATH' : choice.from === 'cache' ? 'provisioned' : 'to provision';
  return `${choice.tool} ${version} ${where}, ${choice.pinnedBy}`;
}

/**
 * Pure: the toolchain step's verdict. Pins that cannot all hold are blocking (exit 2, naming
 * both places). A pinned tool the machine does not have and the cache does not hold is a
 * fixable problem: `devkit bootstrap` downloads it. A provisioned tool that this checkout does
 * not run yet (no `.devkit/toolchain.json` for it) makes the step run, without a problem.
 */
export function checkToolchain(
  pins: Pick<RepoPins, 'problems'>,
  plan: ToolchainPlan,
  active: Pick<ActiveToolchainState, 'node' | 'pnpm'> | undefined,
): ToolchainVerdict {
  const problems: Problem[] = pins.problems
    .filter((p) => p.severity === 'error')
    .map((p) => ({ code: p.code, kind: 'blocking' as const, exitCode: 2 as const, message: p.message, fix: p.fix }));
  const notes = pins.problems.filter((p) => p.severity === 'warning').map((p) => `${p.message} (ignored)`);
  if (problems.length > 0) return { upToDate: false, summary: `${problems.length} pin problem(s)`, problems, notes };
  const choices = [plan.node, plan.pnpm].filter((c): c is ToolChoice => c !== undefined);
  for (const choice of choices) {
    if (choice.from !== 'download') continue;
    problems.push({
      code: 'W_TOOLCHAIN_NOT_PROVISIONED',
      kind: 'fixable',
      message: `${choice.reason}; run \`devkit bootstrap\` to provision it`,
      fix: 'devkit bootstrap',
    });
  }
  const inactive = choices.some(
    (c) => c.from === 'cache' && (active?.[c.tool]?.from !== 'cache' || active[c.tool]?.version !== c.version),
  );
  const summary =
    choices.length === 0
      ? 'nothing pins node or pnpm'
      : `${choices.map(describeChoice).join('; ')}${inactive && problems.length === 0 ? '; the provisioned ones are not yet first on PATH here' : ''}`;
  return { upToDate: problems.length === 0 && !inactive, summary, problems, notes };
}

/** "package.json packageManager pins pnpm 11.19.0": every pin, one line each, for doctor's details. */
export function describePins(pins: Pick<RepoPins, 'pins'>): string[] {
  return pins.pins.map(
    (pin) =>
      `${describePin(pin)} ${pin.exact ? `pins ${pin.tool} ${pin.exact}` : `asks for ${pin.tool} ${pin.raw.trim()}`}${pin.strength === 'constraint' ? ' (a constraint)' : ''}`,
  );
}
