import { chownSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DevkitError,
  findingError,
  isDevkitError,
  processIdentity,
  runCommand,
  writeFileAtomic,
  type Reporter,
} from '@devkit/core';
import { appliedDigest } from './applied.js';
import type { DevkitConfig } from '@devkit/config';
import { serviceEnv, writeEnvFile } from './env.js';
import { locateBinary } from './locate.js';
import { tailFile } from './logs.js';
import { runtimeRoot } from './paths.js';
import { assignPort, ensurePortFree } from './ports.js';
import type { RunProgram, ServiceInstance, ServiceUser } from './runner.js';
import { ensureReachable, resolveServiceUser } from './service-user.js';
import { runSetupIfChanged } from './setup.js';
import { inspectService, spawnSupervisor, stopService } from './supervisor.js';
import { readSupervisorState, type SupervisorSpec } from './supervisor-protocol.js';
import { selectTargets, type ServiceTarget } from './targets.js';
import { withLock } from './lock.js';

/** What every services operation needs: injected, never read from globals deep inside. */
export interface ServicesOptions {
  root: string;
  config: DevkitConfig;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  /** Aborted on Ctrl-C (or SIGTERM, SIGHUP): stop what this run started and give up. */
  signal?: AbortSignal | undefined;
}

export interface UpOptions extends ServicesOptions {
  names: readonly string[];
  /** How long each service may take to become ready. */
  timeoutMs?: number | undefined;
}

export interface UpServiceResult {
  name: string;
  outcome: 'started' | 'restarted' | 'running';
  version: string;
  port: number;
  pid: number | undefined;
  url: string;
  durationMs: number;
  /** Things done besides starting: databases created, setup run, orphans stopped. */
  actions: string[];
}

export interface UpResult {
  services: UpServiceResult[];
  envFile: string | undefined;
}

const LOG_TAIL = 30;
const DEFAULT_TIMEOUT_MS = 60_000;
const HEALTH_PROBE_MS = 2_000;

/** Thrown when Ctrl-C (or a termination signal) interrupts `up`: everything it started is stopped. */
export function interruptedError(stopped: readonly string[]): DevkitError {
  return new DevkitError(
    'E_INTERRUPTED',
    1,
    `interrupted${stopped.length ? `: stopped ${stopped.join(', ')}, which this run had started` : ''}; nothing was left half-started`,
    {
      hint: 'devkit up   (to start the services again)',
    },
  );
}

/**
 * Runs a program as the service user (or as ourselves), in the service's folder unless told
 * otherwise, failing with its output. It leads a process group of its own so an abort stops
 * everything it started (initdb's postgres), and only the abort does.
 */
function programRunner(
  user: ServiceUser | undefined,
  signal: AbortSignal | undefined,
  env: NodeJS.ProcessEnv,
  dir: string,
): RunProgram {
  return async (file, args, options = {}) => {
    const result = await runCommand(file, args, {
      engine: 'node',
      cwd: options.cwd ?? dir,
      env: { ...env, ...options.env },
      extendEnv: false,
      uid: user?.uid,
      gid: user?.gid,
      signal,
      killProcessGroup: true,
      failure: { code: 'E_SERVICE_INIT_FAILED', exitCode: 1, hint: 'fix the problem above, then run devkit up again' },
    });
    return `${result.stdout}\n${result.stderr}`;
  };
}

function makeDir(path: string, user: ServiceUser | undefined, mode: number): void {
  mkdirSync(path, { recursive: true, mode });
  if (user) chownSync(path, user.uid, user.gid);
}

/** Rotates a service log past 10 MB so a long-lived checkout never fills the disk with it. */
function rotateLog(path: string): void {
  try {
    if (statSync(path).size > 10 * 1024 * 1024) renameSync(path, `${path}.1`);
  } catch {
    // no log yet
  }
}

/** Other major versions' data of the same service: worth a warning with the upgrade path. */
function otherMajors(target: ServiceTarget): string[] {
  const parent = join(target.paths.dir, '..');
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  return entries.filter(
    (e) =>
      e.startsWith(`${target.kind}-`) &&
      e !== target.paths.dirName &&
      target.runner.isInitialised({ ...target.paths, data: join(parent, e, 'data') }),
  );
}

async function failureWithLog(
  target: ServiceTarget,
  message: string,
  code = 'E_SERVICE_UNHEALTHY',
): Promise<DevkitError> {
  const tail = await tailFile(target.paths.log, LOG_TAIL);
  return findingError(
    code,
    `${target.kind}: ${message}${tail.length ? `\nlast lines of ${target.paths.log}:\n${tail.map((l) => `  ${l}`).join('\n')}` : ''}`,
    {
      hint: `devkit logs ${target.kind}   (the whole log), fix the cause, then devkit up ${target.kind}`,
      details: { service: target.kind, log: target.paths.log, tail },
    },
  );
}

/** Waits until the service answers its protocol check, it dies, the timeout passes, or we are interrupted. */
async function waitReady(
  instance: ServiceInstance,
  target: ServiceTarget,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  for (;;) {
    signal?.throwIfAborted();
    const { state, reason } = inspectService(target.paths);
    if (state === 'crashed' || state === 'stopped')
      throw await failureWithLog(target, `exited while starting (${reason})`, 'E_SERVICE_START_FAILED');
    try {
      await target.runner.health(instance.port, Math.min(HEALTH_PROBE_MS, Math.max(100, deadline - Date.now())));
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline)
      throw await failureWithLog(
        target,
        `not ready after ${Math.round(timeoutMs / 1000)} s (last check: ${lastError})`,
      );
    // Poll briskly: most services answer within a few hundred milliseconds of starting.
    await sleep(50, undefined, { signal }).catch(() => {});
  }
}

/** Records, once a service is ready, which config it matches: the bootstrap step compares. */
async function recordApplied(target: ServiceTarget, port: number): Promise<void> {
  await writeFileAtomic(
    join(target.paths.dir, 'applied.json'),
    `${JSON.stringify({ digest: appliedDigest(target, port) })}\n`,
  );
}

/** Per-run bookkeeping: which supervisors this run started, for a clean Ctrl-C. */
interface RunLedger {
  started: ServiceTarget[];
  initDirs: string[];
}

/** Brings one service to "running and healthy", starting (or restarting) it as needed. */
async function bringUp(
  target: ServiceTarget,
  port: number,
  user: ServiceUser | undefined,
  options: UpOptions,
  ledger: RunLedger,
): Promise<UpServiceResult> {
  const started = performance.now();
  const { reporter, signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const actions: string[] = [];
  const binary = await locateBinary(target.kind, target.declared, options.env);
  signal?.throwIfAborted();
  target.runner.warmUp?.();
  const instance: ServiceInstance = {
    kind: target.kind,
    declared: target.declared,
    config: target.config,
    root: options.root,
    paths: target.paths,
    port,
    binary,
    user,
  };
  const finish = (outcome: UpServiceResult['outcome'], pid: number | undefined): UpServiceResult => ({
    name: target.kind,
    outcome,
    version: binary.version,
    port,
    pid,
    url: target.runner.url(port, target.config),
    durationMs: Math.round(performance.now() - started),
    actions,
  });

  const inspection = inspectService(target.paths);
  let outcome: UpServiceResult['outcome'] = 'started';
  if (inspection.state === 'running' && inspection.record?.port === port) {
    await waitReady(instance, target, timeoutMs, signal);
    actions.push(...((await target.runner.afterReady?.(instance)) ?? []));
    await recordApplied(target, port);
    return finish('running', inspection.record.service?.pid);
  }
  if (inspection.state !== 'stopped') {
    // Crashed, orphaned (its supervisor was killed), still stopping, or on another port:
    // stop whatever is left, clear stale state and sockets, then start it afresh on its data.
    const what =
      inspection.state === 'orphaned'
        ? `was running without its supervisor (pid ${inspection.record?.service?.pid}): stopped it`
        : `was ${inspection.state} (${inspection.reason})`;
    await stopService(target.paths, target.runner.stopSignal, target.runner.graceMs);
    actions.push(`${what}; restarted on its data`);
    reporter.emit({ type: 'log', level: 'warn', message: `${target.kind} ${what}; restarting it on its data` });
    outcome = 'restarted';
  }

  mkdirSync(target.paths.dir, { recursive: true });
  if (user) {
    const opened = ensureReachable(target.paths.dir, user);
    for (const dir of opened)
      reporter.emit({
        type: 'log',
        level: 'warn',
        message: `gave ${dir} search permission for others (o+x) so that ${user.name} can reach ${relative(options.root, target.paths.dir)}`,
      });
  }
  await ensurePortFree(
    target.kind,
    port,
    target.config.port !== undefined
      ? `devkit.json services.${target.kind}.port`
      : relative(options.root, target.paths.port),
  );

  const wrongData = target.runner.checkData?.(instance);
  if (wrongData)
    throw findingError('E_SERVICE_DATA_VERSION', `${target.kind}: ${wrongData}`, {
      hint: `devkit reset ${target.kind} --yes   (discards the data) — or upgrade it as described above`,
    });
  if (!target.runner.isInitialised(target.paths)) {
    for (const other of otherMajors(target)) {
      reporter.emit({
        type: 'log',
        level: 'warn',
        message: `${target.kind}: .devkit/services/${other} holds data of another major version; ${target.paths.dirName} starts empty. ${target.kind === 'postgres' ? `To carry the data over, run pg_upgrade from ${other} into ${target.paths.dirName} (stop devkit's ${target.kind} first).` : 'Copy what you need across by hand.'}`,
      });
    }
    const temp = `${target.paths.data}.init`;
    rmSync(temp, { recursive: true, force: true });
    ledger.initDirs.push(temp);
    makeDir(temp, user, 0o700);
    await target.runner.init(instance, temp, programRunner(user, signal, options.env, target.paths.dir));
    signal?.throwIfAborted();
    renameSync(temp, target.paths.data);
    ledger.initDirs.splice(ledger.initDirs.indexOf(temp), 1);
    rmSync(target.paths.setup, { force: true });
    actions.push(`initialised ${relative(options.root, target.paths.data)}`);
  }
  if (user) chownSync(target.paths.data, user.uid, user.gid);
  const stale = target.runner.removeStaleFiles?.(instance) ?? [];
  if (stale.length > 0) actions.push(`removed stale ${stale.join(', ')}`);
  await target.runner.writeConfig?.(instance);

  // Sockets: a short per-checkout folder; whatever is left there from a crash or a reboot goes.
  makeDir(runtimeRoot(options.root), undefined, 0o755);
  rmSync(target.paths.runtime, { recursive: true, force: true });
  makeDir(target.paths.runtime, user, 0o700);

  rotateLog(target.paths.log);
  const launch = target.runner.launch(instance);
  const spec: SupervisorSpec = {
    name: target.kind,
    file: binary.path,
    args: launch.args,
    env: launch.env ?? {},
    cwd: target.paths.dir,
    uid: user?.uid,
    gid: user?.gid,
    stopSignal: target.runner.stopSignal,
    graceMs: target.runner.graceMs,
    log: target.paths.log,
    state: target.paths.state,
    port,
    binaryVersion: binary.version,
  };
  await writeFileAtomic(target.paths.spec, `${JSON.stringify(spec, null, 2)}\n`);
  signal?.throwIfAborted();
  rmSync(target.paths.state, { force: true });
  const supervisorPid = await spawnSupervisor(target.paths, options.env);
  ledger.started.push(target);
  // The supervisor writes supervisor.json right after starting the service.
  const deadline = Date.now() + 10_000;
  while (readSupervisorState(target.paths.state)?.supervisor.pid !== supervisorPid) {
    if (Date.now() > deadline || processIdentity(supervisorPid) === undefined) {
      if (readSupervisorState(target.paths.state)?.supervisor.pid === supervisorPid) break;
      const supervisorLog = await tailFile(target.paths.supervisorLog, 10);
      throw await failureWithLog(
        target,
        `its supervisor did not start${supervisorLog.length ? `:\n${supervisorLog.join('\n')}` : ''}`,
        'E_SERVICE_START_FAILED',
      );
    }
    await sleep(10);
  }
  await waitReady(instance, target, timeoutMs, signal);
  actions.push(...((await target.runner.afterReady?.(instance)) ?? []));
  await recordApplied(target, port);
  return finish(outcome, readSupervisorState(target.paths.state)?.service?.pid);
}

function combine(errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const known = errors.filter(isDevkitError);
  const first = known[0];
  if (!first) return errors[0];
  const exitCode = known.some((e) => e.exitCode === 3) ? 3 : first.exitCode;
  return new DevkitError(
    first.code,
    exitCode,
    errors.map((e) => (e instanceof Error ? e.message : String(e))).join('\n'),
    {
      hint: known
        .map((e) => e.hint)
        .filter(Boolean)
        .join('\n'),
      cause: errors,
    },
  );
}

/**
 * `devkit up`: starts the named (default: all declared) services in parallel, each under its
 * own supervisor, waits until each answers its protocol check, creates databases, runs setup
 * commands whose inputs changed, and writes `.env.devkit`. A service that fails is stopped and
 * reported with the end of its log; on interruption every service this run started is stopped.
 */
export async function upServices(options: UpOptions): Promise<UpResult> {
  const targets = selectTargets(options.root, options.config, options.names, 'up');
  if (targets.length === 0) return { services: [], envFile: undefined };
  const all = selectTargets(options.root, options.config, []);
  // Ports first, one after the other, so two services of one checkout never pick the same one.
  const ports = new Map<string, number>();
  const taken = new Set<number>();
  for (const target of all) {
    const port = await assignPort({
      root: options.root,
      name: target.kind,
      file: target.paths.port,
      configured: target.config.port,
      avoid: taken,
    });
    taken.add(port);
    ports.set(target.kind, port);
  }
  const choice = resolveServiceUser();
  if (choice) {
    options.reporter.emit({
      type: 'log',
      level: 'info',
      message: `devkit runs as root: services run as the unprivileged user ${choice.user.name} (uid ${choice.user.uid}${choice.created ? ', created now' : ''}); PostgreSQL refuses to run as root`,
    });
  }
  const ledger: RunLedger = { started: [], initDirs: [] };
  const settled = await Promise.allSettled(
    targets.map(async (t) => {
      mkdirSync(t.paths.dir, { recursive: true });
      return withLock(join(t.paths.dir, 'lock'), t.kind, () =>
        bringUp(t, ports.get(t.kind)!, choice?.user, options, ledger),
      );
    }),
  );

  if (options.signal?.aborted) {
    await Promise.all(ledger.started.map((t) => stopService(t.paths, t.runner.stopSignal, t.runner.graceMs)));
    for (const dir of ledger.initDirs) rmSync(dir, { recursive: true, force: true });
    throw interruptedError(ledger.started.map((t) => t.kind));
  }
  const errors: unknown[] = [];
  const results: UpServiceResult[] = [];
  await Promise.all(
    settled.map(async (outcome, i) => {
      if (outcome.status === 'fulfilled') {
        results.push(outcome.value);
        return;
      }
      errors.push(outcome.reason);
      // A service that did not become healthy is not left behind half-started.
      const target = targets[i]!;
      if (ledger.started.includes(target))
        await stopService(target.paths, target.runner.stopSignal, target.runner.graceMs);
    }),
  );
  for (const dir of ledger.initDirs) rmSync(dir, { recursive: true, force: true });
  if (errors.length > 0) throw combine(errors);

  const vars = await serviceEnv(options.root, all);
  try {
    for (const target of targets) {
      options.signal?.throwIfAborted();
      const ran = await runSetupIfChanged({
        root: options.root,
        target,
        env: { ...options.env, ...vars },
        reporter: options.reporter,
        signal: options.signal,
      });
      if (ran)
        results
          .find((r) => r.name === target.kind)
          ?.actions.push(`ran setup (${(target.config.setup ?? []).length} command(s))`);
    }
  } catch (error) {
    // Interrupted during setup (the setup command got the terminal's signal too): the run did
    // not finish, so what it started goes; services that were already running stay.
    if (options.signal?.aborted) {
      await Promise.all(ledger.started.map((t) => stopService(t.paths, t.runner.stopSignal, t.runner.graceMs)));
      throw interruptedError(ledger.started.map((t) => t.kind));
    }
    throw error;
  }
  const envFile = await writeEnvFile(options.root, vars);
  results.sort((a, b) => targets.findIndex((t) => t.kind === a.name) - targets.findIndex((t) => t.kind === b.name));
  return { services: results, envFile: envFile.path };
}
