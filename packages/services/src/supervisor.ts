import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServicePaths } from './paths.js';
import { processIdentity, spawnProcess } from '@devkit/core';
import { devkitInstall } from '@devkit/core/install';
import { processGroupMembers } from './process-info.js';
import { readSupervisorState, type ProcessRef, type SupervisorState } from './supervisor-protocol.js';

/** Where a service stands, from its supervisor.json and the processes it names. */
export type RunState =
  /** supervisor and service alive */
  | 'running'
  /** the supervisor is stopping it */
  | 'stopping'
  /** never started, or stopped on request */
  | 'stopped'
  /** the service died (kill -9, crash, reboot) */
  | 'crashed'
  /** the service runs but its supervisor is gone (kill -9 of the supervisor) */
  | 'orphaned';

export interface Inspection {
  state: RunState;
  record: SupervisorState | undefined;
  /** One line on why, for status and messages. */
  reason: string;
}

function alive(ref: ProcessRef | null | undefined): boolean {
  if (!ref) return false;
  const id = processIdentity(ref.pid);
  return id !== undefined && (ref.id === undefined || ref.id === id);
}

/** Classifies a service from its state file. Cheap: a file read and a few /proc reads. */
export function inspectService(paths: ServicePaths): Inspection {
  const record = readSupervisorState(paths.state);
  if (!record) return { state: 'stopped', record: undefined, reason: 'not running' };
  // Copied with the checkout (cp -r): it describes another checkout's processes, not ours.
  if (record.dir !== undefined && record.dir !== paths.dir)
    return { state: 'stopped', record: undefined, reason: 'not running (state copied from another checkout)' };
  const supervisorAlive = alive(record.supervisor);
  const serviceAlive = alive(record.service);
  if (record.status === 'exited' || !serviceAlive) {
    const exit = record.exit;
    const how = exit?.error
      ? `could not start: ${exit.error}`
      : exit?.signal
        ? `killed by ${exit.signal}`
        : exit
          ? `exited with code ${exit.code}`
          : 'died together with its supervisor (crash or reboot)';
    return { state: serviceAlive ? 'orphaned' : 'crashed', record, reason: `${how}${exit ? ` at ${exit.at}` : ''}` };
  }
  if (!supervisorAlive)
    return {
      state: 'orphaned',
      record,
      reason: `running (pid ${record.service?.pid}) without its supervisor (pid ${record.supervisor.pid} is gone)`,
    };
  if (record.status === 'stopping') return { state: 'stopping', record, reason: 'stopping' };
  return { state: 'running', record, reason: 'running' };
}

/**
 * The built supervisor script: the `devkit` package's dist/supervisor-main.js (its own entry in
 * the bundle), or this package's dist/supervisor-main.js in devkit's repo, also when this module
 * runs from src/.
 */
export function supervisorScript(): string {
  const install = devkitInstall();
  if (install.bundled) return join(install.packageDir, 'dist', 'supervisor-main.js');
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, 'supervisor-main.js');
  if (existsSync(built)) return built;
  return join(here, '..', 'dist', 'supervisor-main.js');
}

/** Starts a detached supervisor (a session of its own: no terminal signal reaches it). */
export async function spawnSupervisor(paths: ServicePaths, env: NodeJS.ProcessEnv): Promise<number> {
  const out = openSync(paths.supervisorLog, 'a');
  try {
    // Its working directory is the service folder: it must not pin whatever folder `up` ran in.
    const { child, started } = spawnProcess(process.execPath, [supervisorScript(), paths.spec], {
      cwd: paths.dir,
      env,
      extendEnv: false,
      detached: true,
      stdio: ['ignore', out, out],
      capture: 'none',
      failure: { code: 'E_SERVICE_START_FAILED', exitCode: 1 },
    });
    child.unref();
    return await started;
  } finally {
    closeSync(out);
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await sleep(stepMs);
  }
  return done();
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // gone already
  }
}

/** Kills whatever is left in a dead service's process group (workers of a killed leader). */
export function sweepGroup(ref: ProcessRef | null | undefined): void {
  if (!ref) return;
  // The group id is the old leader's pid; only sweep when the leader is gone and members remain.
  if (alive(ref)) return;
  if (processGroupMembers(ref.pid).length > 0) signal(ref.pid, 'SIGKILL', true);
}

/**
 * Stops a service whatever its state: asks its supervisor (which applies the service's stop
 * signal and grace period), or, for an orphan, does the same itself; then removes the state
 * file and stale sockets. Returns how it went.
 */
export async function stopService(
  paths: ServicePaths,
  stopSignal: NodeJS.Signals,
  graceMs: number,
): Promise<'stopped' | 'was-stopped' | 'cleaned'> {
  const { state, record } = inspectService(paths);
  let outcome: 'stopped' | 'was-stopped' | 'cleaned' = 'was-stopped';
  if (record && (state === 'running' || state === 'stopping')) {
    signal(record.supervisor.pid, 'SIGTERM', false);
    const done = await waitUntil(() => !alive(record.supervisor) && !alive(record.service), graceMs + 5_000);
    if (!done) {
      // A wedged supervisor: finish the job ourselves.
      if (record.service) signal(record.service.pid, 'SIGKILL', true);
      signal(record.supervisor.pid, 'SIGKILL', false);
      await waitUntil(() => !alive(record.supervisor) && !alive(record.service), 5_000);
    }
    outcome = 'stopped';
  } else if (record && state === 'orphaned' && record.service) {
    signal(record.service.pid, record.stopSignal ?? stopSignal, true);
    const done = await waitUntil(() => !alive(record.service), record.graceMs ?? graceMs, 50);
    if (!done) signal(record.service.pid, 'SIGKILL', true);
    await waitUntil(() => !alive(record.service), 5_000);
    outcome = 'stopped';
  } else if (record) {
    outcome = 'cleaned';
  }
  if (record) {
    sweepGroup(record.service);
    rmSync(paths.state, { force: true });
  }
  rmSync(paths.runtime, { recursive: true, force: true });
  return outcome;
}
