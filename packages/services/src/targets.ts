import type { DevkitConfig } from '@devkit/config';
import { closest } from '@devkit/config';
import { usageError } from '@devkit/core';
import { servicePaths, type ServicePaths } from './paths.js';
import type { ServiceConfig, ServiceKind, ServiceRunner } from './runner.js';
import { RUNNERS, SERVICE_KINDS } from './runners/index.js';

/** A service as devkit.json declares it, with where its files live. No machine facts yet. */
export interface ServiceTarget {
  kind: ServiceKind;
  declared: string;
  config: ServiceConfig;
  runner: ServiceRunner;
  paths: ServicePaths;
}

/** Every service devkit.json declares, in a stable order. Pure. */
export function configuredTargets(root: string, config: DevkitConfig): ServiceTarget[] {
  const services = config.services ?? {};
  return SERVICE_KINDS.flatMap((kind) => {
    const declared = services[kind];
    if (!declared) return [];
    return [
      {
        kind,
        declared: declared.version,
        config: declared as ServiceConfig,
        runner: RUNNERS[kind],
        paths: servicePaths(root, kind, declared.version),
      },
    ];
  });
}

/**
 * The services named on the command line (all declared ones when none is named). An unknown
 * or undeclared name is a usage error with the nearest valid one.
 */
export function selectTargets(
  root: string,
  config: DevkitConfig,
  names: readonly string[],
  command = 'up',
): ServiceTarget[] {
  const all = configuredTargets(root, config);
  if (names.length === 0) return all;
  return [...new Set(names)].map((name) => {
    const target = all.find((t) => t.kind === name);
    if (target) return target;
    if ((SERVICE_KINDS as string[]).includes(name)) {
      throw usageError('E_SERVICE_NOT_DECLARED', `${name} is not declared in devkit.json`, {
        hint: `add "services": { "${name}": { "version": "<production version>" } } to devkit.json`,
      });
    }
    const suggestion = closest(name, all.length > 0 ? all.map((t) => t.kind) : SERVICE_KINDS);
    throw usageError(
      'E_SERVICE_UNKNOWN',
      `unknown service ${JSON.stringify(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; devkit.json declares: ${all.map((t) => t.kind).join(', ') || 'none'}`,
      {
        hint: suggestion
          ? `devkit ${command} ${suggestion}`
          : `declare it under "services" in devkit.json (kinds: ${SERVICE_KINDS.join(', ')})`,
      },
    );
  });
}
