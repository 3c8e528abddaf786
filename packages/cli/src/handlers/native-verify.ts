import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { usageError } from '@devkit/core';
import {
  applyImageFloor,
  DEFAULT_SOURCE_DATE_EPOCH,
  parseBinary,
  readImageRecords,
  resolveTarget,
  verifyBinary,
} from '@devkit/native';
import { loadProject } from '../context.js';
import type { nativeVerifySpec } from '../commands.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';

/** `devkit native verify <file> --target t`: the policy check of one binary, parsed in-process. */
export async function run(input: CommandInput<typeof nativeVerifySpec>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const targetName = input.flags.target;
  const target = resolveTarget(targetName, ctx.config, DEFAULT_SOURCE_DATE_EPOCH);
  // A gcc builder's Linux floor is its own glibc when devkit.json sets none (zig targets have theirs).
  applyImageFloor(target, (await readImageRecords(ctx.root))[target.builder]);
  const file = resolve(input.cwd, input.args.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw usageError('E_NATIVE_VERIFY_FILE', `cannot read ${file}: ${(error as Error).message}`, {
      hint: 'pass the path of a built binary',
    });
  }
  let info;
  try {
    info = parseBinary(bytes);
  } catch (error) {
    throw usageError(
      'E_NATIVE_VERIFY_FORMAT',
      `${file} is not a binary devkit can check: ${(error as Error).message}`,
      { hint: 'pass an ELF or Mach-O file (.node, .so, .dylib, executable or .a)' },
    );
  }
  const report = verifyBinary(info, target);
  return {
    exitCode: report.ok ? 0 : 1,
    data: {
      file,
      target: target.name,
      policy: { glibc: target.glibc ?? null, macos: target.macos ?? null, isaLevel: target.isaLevel },
      ...report,
    },
    human: (s) => {
      const floor =
        Object.entries(report.floor)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'nothing versioned';
      if (report.ok) return [`${s.green('✓')} ${file} meets ${target.name} (${report.format}; needs ${floor})`];
      return [
        `${s.red('✗')} ${file} does not meet ${target.name} (${report.format}; needs ${floor}):`,
        ...report.violations.map((v) => `    ${v.message}`),
      ];
    },
  };
}
