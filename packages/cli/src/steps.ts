import type { Step } from '@devkit/core';
import type { ProjectContext } from '@devkit/config';
import { dependenciesStep, toolchainStep } from '@devkit/toolchain';
import { hooksStep } from '@devkit/hooks/step';
import { servicesStep } from '@devkit/services/step';

export interface StepSelection {
  services: boolean;
}

/**
 * The bootstrap step list, in order. Capabilities each contribute steps; the CLI is where they
 * are put together (capability packages never import each other).
 */
export function bootstrapSteps(selection: StepSelection): Step<ProjectContext>[] {
  return [toolchainStep, dependenciesStep, hooksStep, ...(selection.services ? [servicesStep] : [])];
}
