import { inspectService, type RunState } from './supervisor.js';
import { readStoredPort } from './ports.js';
import { configuredTargets, type ServiceTarget } from './targets.js';
import type { ServicesOptions } from './up.js';

export interface ServiceStatus {
  name: string;
  /** The version devkit.json declares. */
  declared: string;
  /** The version of the binary running it (when running). */
  version: string | null;
  state: RunState;
  healthy: boolean;
  /** Why it is not healthy, or the health check's failure. */
  reason: string;
  port: number | null;
  pid: number | null;
  supervisorPid: number | null;
  startedAt: string | null;
  uptimeMs: number | null;
  url: string | null;
  dataDir: string;
  log: string;
}

const HEALTH_TIMEOUT_MS = 2_000;

async function statusOf(target: ServiceTarget): Promise<ServiceStatus> {
  const { state, record, reason } = inspectService(target.paths);
  const port = record?.port ?? target.config.port ?? (await readStoredPort(target.paths.port)) ?? null;
  let healthy = false;
  let why = reason;
  if (state === 'running' && port !== null) {
    try {
      await target.runner.health(port, HEALTH_TIMEOUT_MS);
      healthy = true;
      why = 'healthy';
    } catch (error) {
      why = `running but not answering: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const running = state === 'running' || state === 'orphaned' || state === 'stopping';
  const startedAt = running ? (record?.startedAt ?? null) : null;
  return {
    name: target.kind,
    declared: target.declared,
    version: running ? (record?.binaryVersion ?? null) : null,
    state,
    healthy,
    reason: why,
    port,
    pid: running ? (record?.service?.pid ?? null) : null,
    supervisorPid: state === 'running' || state === 'stopping' ? (record?.supervisor.pid ?? null) : null,
    startedAt,
    uptimeMs: startedAt ? Date.now() - Date.parse(startedAt) : null,
    url: port === null ? null : target.runner.url(port, target.config),
    dataDir: target.paths.data,
    log: target.paths.log,
  };
}

/**
 * `devkit status`: every declared service with its state, a real protocol health check (run
 * in parallel, 2 s each at most), port, pid, uptime and URL. A service counts as up only when
 * it runs under its supervisor and answers.
 */
export async function servicesStatus(options: Pick<ServicesOptions, 'root' | 'config'>): Promise<ServiceStatus[]> {
  return Promise.all(configuredTargets(options.root, options.config).map(statusOf));
}
