import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { purgeServiceData } from './down.js';
import { inspectService, stopService } from './supervisor.js';
import { withLock } from './lock.js';
import { selectTargets } from './targets.js';
import { upServices, type ServicesOptions, type UpServiceResult } from './up.js';

export interface ResetResult {
  name: string;
  wasRunning: boolean;
  restarted: UpServiceResult | undefined;
}

/**
 * `devkit reset <svc>`: stops the service, deletes its data (the caller confirms first), and
 * starts it again empty — databases and setup included — if it was running.
 */
export async function resetService(options: ServicesOptions & { name: string }): Promise<ResetResult> {
  const [target] = selectTargets(options.root, options.config, [options.name], 'reset');
  mkdirSync(target!.paths.dir, { recursive: true });
  const wasRunning = await withLock(join(target!.paths.dir, 'lock'), target!.kind, async () => {
    const { state } = inspectService(target!.paths);
    await stopService(target!.paths, target!.runner.stopSignal, target!.runner.graceMs);
    purgeServiceData(target!);
    return state === 'running' || state === 'orphaned' || state === 'stopping';
  });
  if (!wasRunning) return { name: target!.kind, wasRunning, restarted: undefined };
  const up = await upServices({ ...options, names: [target!.kind] });
  return { name: target!.kind, wasRunning, restarted: up.services[0] };
}
