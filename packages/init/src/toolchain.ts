import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describePin, readPins, type PinConfig, type ToolName } from '@devkit/toolchain/pins';

export interface ToolchainInference {
  /** devkit.json `toolchain`: only versions stated where devkit does not read them already. */
  toolchain: Partial<Record<ToolName, string>> | undefined;
  notes: string[];
}

/** Pins from tools devkit does not read itself: volta's package.json key and asdf/mise's .tool-versions. */
async function foreignPins(
  root: string,
  manifest: Record<string, unknown> | undefined,
): Promise<Partial<Record<ToolName, { version: string; from: string }>>> {
  const found: Partial<Record<ToolName, { version: string; from: string }>> = {};
  const volta = manifest?.volta as Record<string, unknown> | undefined;
  for (const tool of ['node', 'pnpm'] as const) {
    const value = volta?.[tool];
    if (typeof value === 'string' && value.trim())
      found[tool] = { version: value.trim(), from: `package.json volta.${tool}` };
  }
  const text = await readFile(join(root, '.tool-versions'), 'utf8').catch(() => '');
  for (const line of text.split(/\r?\n/)) {
    const [name, version] = line.replace(/#.*/, '').trim().split(/\s+/);
    const tool = name === 'nodejs' || name === 'node' ? 'node' : name === 'pnpm' ? 'pnpm' : undefined;
    if (tool && version && /^\d/.test(version)) found[tool] ??= { version, from: '.tool-versions' };
  }
  return found;
}

/**
 * Toolchain pins: what packageManager, devEngines, engines, .node-version or .nvmrc already
 * say is read by devkit from there, so it is not copied into devkit.json (two places to bump
 * would drift); a version only volta or .tool-versions states is carried over.
 */
export async function inferToolchain(
  root: string,
  manifest: Record<string, unknown> | undefined,
  config: PinConfig,
): Promise<ToolchainInference> {
  const pins = readPins(root, config);
  const foreign = await foreignPins(root, manifest);
  const toolchain: Partial<Record<ToolName, string>> = {};
  const notes: string[] = [];
  for (const tool of ['node', 'pnpm'] as const) {
    const wanted = pins[tool];
    if (wanted) {
      notes.push(
        `${tool}: pinned by ${describePin(wanted.source)} (${wanted.source.raw}), which devkit reads; not repeated in devkit.json`,
      );
      continue;
    }
    const other = foreign[tool];
    if (other) {
      toolchain[tool] = other.version;
      notes.push(
        `${tool}: ${other.version} from ${other.from}, which devkit does not read, written to devkit.json toolchain.${tool}`,
      );
      continue;
    }
    notes.push(
      tool === 'node'
        ? 'node: not pinned anywhere; pin it with `node --version > .node-version` so every checkout and CI run the same'
        : 'pnpm: not pinned anywhere; pin it with `pnpm pkg set packageManager=pnpm@$(pnpm --version)`',
    );
  }
  return { toolchain: Object.keys(toolchain).length ? toolchain : undefined, notes };
}
