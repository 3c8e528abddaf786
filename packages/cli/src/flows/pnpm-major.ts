import type { PnpmMajorChoice } from '@devkit/lockfile';

/** The part of devkit.json the choice reads: `toolchain.pnpm`. */
interface PnpmMajorConfig {
  toolchain?: { node?: string | undefined; pnpm?: string | undefined } | undefined;
}

/**
 * Which pnpm major judges the lockfile, and where that came from: the repo's pins
 * (`packageManager`, `devEngines.packageManager`, devkit.json `toolchain.pnpm`, read by
 * toolchain's readPins); unpinned, the major of the pnpm on PATH; neither, devkit's default
 * (pnpm 10), said so in the source. The lockfile package cannot read pins itself (toolchain
 * sits above it in the package order), so the CLI decides and passes the choice down.
 */
export async function choosePnpmMajor(
  root: string,
  config: PnpmMajorConfig,
  env: NodeJS.ProcessEnv,
): Promise<PnpmMajorChoice> {
  // loaded here, not at startup: only the lockfile check needs them; the pins alone, not the
  // toolchain package's barrel, when the repo pins pnpm (the lockfile check runs on every commit)
  const [{ readPins, pinnedPnpmMajor }, { DEFAULT_PNPM_MAJOR }] = await Promise.all([
    import('@devkit/toolchain/pins'),
    import('@devkit/lockfile'),
  ]);
  const pins = readPins(root, config);
  const pinned = pinnedPnpmMajor(pins);
  if (pinned) return { major: pinned.major, source: pinned.source };
  // pins that cannot all hold are doctor's to report; the check still needs a major
  const unpinned = pins.pnpm ? "the repo's pnpm pins disagree (see devkit doctor)" : 'nothing pins pnpm';
  const { findPnpm, pnpmVersion } = await import('@devkit/toolchain');
  const install = findPnpm(env);
  if (install.path) {
    const version = await pnpmVersion(install, root, env).catch(() => undefined);
    const major = version === undefined ? NaN : Number.parseInt(version, 10);
    if (Number.isInteger(major)) return { major, source: `pnpm ${version} on PATH, ${unpinned}` };
  }
  return { major: DEFAULT_PNPM_MAJOR, source: `${unpinned} and no pnpm is on PATH: devkit's default` };
}
