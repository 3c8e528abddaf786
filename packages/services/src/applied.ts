import { digestParts } from '@devkit/core';
import type { ServiceTarget } from './targets.js';

/** The config a running service was brought in line with (its port, its databases…). */
export function appliedDigest(target: ServiceTarget, port: number): string {
  return digestParts([
    ['config', JSON.stringify(target.config)],
    ['port', String(port)],
  ]);
}
