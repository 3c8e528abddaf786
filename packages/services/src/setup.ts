import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { statSync } from 'node:fs';
import { digestParts, readFileIfExists, runCommand, writeFileAtomic, type Reporter } from '@devkit/core';
import type { ServiceTarget } from './targets.js';

/**
 * The files a setup depends on: the `inputs` globs when declared, else every word of the
 * commands that names an existing file (`psql -f db/schema.sql`, `node scripts/seed.mjs`).
 */
export async function setupInputs(
  root: string,
  commands: readonly string[],
  inputs: readonly string[] | undefined,
): Promise<string[]> {
  if (inputs && inputs.length > 0) {
    // Loaded only when a service declares `inputs`: the warm bootstrap path stays lean.
    const { glob } = await import('tinyglobby');
    const files = await glob([...inputs], {
      cwd: root,
      dot: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**', '.devkit/**', '.git/**'],
    });
    return files.sort();
  }
  const named = new Set<string>();
  for (const word of commands.flatMap((c) => c.split(/\s+/))) {
    const candidate = word.replace(/^['"]|['"]$/g, '').replace(/^[^=]+=/, '');
    if (!candidate || candidate.startsWith('-') || isAbsolute(candidate)) continue;
    try {
      if (statSync(join(root, candidate)).isFile()) named.add(candidate);
    } catch {
      // not a file
    }
  }
  return [...named].sort();
}

/** Fingerprint of a service's setup: the commands and the content of their inputs. */
export async function setupFingerprint(root: string, target: ServiceTarget): Promise<string | undefined> {
  const commands = target.config.setup ?? [];
  if (commands.length === 0) return undefined;
  const files = await setupInputs(root, commands, target.config.inputs);
  const parts: Array<[string, string | Uint8Array | null]> = [['commands', JSON.stringify(commands)]];
  for (const file of files) parts.push([file, await readFile(join(root, file)).catch(() => null)]);
  return digestParts(parts);
}

export async function recordedSetup(target: ServiceTarget): Promise<string | undefined> {
  const text = await readFileIfExists(target.paths.setup);
  try {
    return text ? (JSON.parse(text) as { fingerprint?: string }).fingerprint : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a service's setup commands (through `sh -c`, in the repo root, with the services'
 * URLs in the environment) when their fingerprint changed since they last ran against this
 * data. Returns whether they ran.
 */
export async function runSetupIfChanged(options: {
  root: string;
  target: ServiceTarget;
  env: Record<string, string | undefined>;
  reporter: Reporter;
  force?: boolean;
  /** Aborting it stops the running setup command and everything it started. */
  signal?: AbortSignal | undefined;
}): Promise<boolean> {
  const { root, target } = options;
  const fingerprint = await setupFingerprint(root, target);
  if (fingerprint === undefined) return false;
  if (!options.force && (await recordedSetup(target)) === fingerprint) return false;
  for (const command of target.config.setup ?? []) {
    await runCommand('sh', ['-c', command], {
      cwd: root,
      env: options.env,
      reporter: options.reporter,
      source: `${target.kind} setup`,
      // Its own process group: a setup command is a shell that starts package managers and
      // scripts, and an abort must stop all of them, not only the shell.
      signal: options.signal,
      killProcessGroup: true,
      failure: {
        code: 'E_SERVICE_SETUP_FAILED',
        exitCode: 1,
        hint: `fix \`${command}\` (services.${target.kind}.setup in devkit.json), then run \`devkit up ${target.kind}\` again`,
      },
    });
  }
  await writeFileAtomic(
    target.paths.setup,
    `${JSON.stringify({ fingerprint, ranAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return true;
}
