import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Every file devkit keeps for one service, all under `.devkit/services/<name>-<major>/`. */
export interface ServicePaths {
  /** `postgres-15`: the folder name; the major version is part of it so data never meets another major. */
  dirName: string;
  dir: string;
  data: string;
  /** The service's own output (stdout and stderr). */
  log: string;
  /** The supervisor's output: only interesting when the supervisor itself fails. */
  supervisorLog: string;
  /** The port chosen for this checkout, once. */
  port: string;
  /** What the supervisor writes: its pid, the service's pid, their identities, exit status. */
  state: string;
  /** What the supervisor is asked to run. */
  spec: string;
  /** Fingerprint of the setup commands last run against this data. */
  setup: string;
  /** Short per-checkout folder for sockets (see runtimeRoot). */
  runtime: string;
}

/** `.devkit/services` of a checkout. */
export function servicesRoot(root: string): string {
  return join(root, '.devkit', 'services');
}

/** `.devkit/snapshots` of a checkout. */
export function snapshotsRoot(root: string): string {
  return join(root, '.devkit', 'snapshots');
}

/** The major version (first component) of a declared version: "15" → "15", "1.6" → "1". */
export function majorOf(version: string): string {
  return version.split('.')[0] ?? version;
}

/**
 * Sockets live in `/tmp/devkit-<hash of the checkout path>/`: short enough for macOS's
 * 103-byte limit on socket paths whatever the repo's path, and distinct per checkout, so two
 * clones never share a socket. Not `os.tmpdir()`: on macOS that is already ~50 bytes long.
 */
export function runtimeRoot(root: string): string {
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 10);
  return process.platform === 'win32' ? join(process.env.TEMP ?? 'C:\\Temp', `devkit-${hash}`) : `/tmp/devkit-${hash}`;
}

export function servicePaths(root: string, name: string, version: string): ServicePaths {
  const dirName = `${name}-${majorOf(version)}`;
  const dir = join(servicesRoot(root), dirName);
  return {
    dirName,
    dir,
    data: join(dir, 'data'),
    log: join(dir, 'service.log'),
    supervisorLog: join(dir, 'supervisor.log'),
    port: join(dir, 'port'),
    state: join(dir, 'supervisor.json'),
    spec: join(dir, 'supervisor-spec.json'),
    setup: join(dir, 'setup.json'),
    runtime: join(runtimeRoot(root), dirName),
  };
}
