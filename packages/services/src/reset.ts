import { purgeServiceData } from './down.js';
import { inspectService, stopService } from './supervisor.js';
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
  const { state } = inspectService(target!.paths);
  const wasRunning = state === 'running' || state === 'orphaned' || state === 'stopping';
  await stopService(target!.paths, target!.runner.stopSignal, target!.runner.graceMs);
  purgeServiceData(target!);
  if (!wasRunning) return { name: target!.kind, wasRunning, restarted: undefined };
  const up = await upServices({ ...options, names: [target!.kind] });
  return { name: target!.kind, wasRunning, restarted: up.services[0] };
}
