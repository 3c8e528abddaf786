import type { Reporter } from '@devkit/core';
import type { DevkitConfig } from './schema.js';

/** What every capability receives: where the repo is, its config, and where to report. */
export interface ProjectContext {
  root: string;
  configFile: string;
  configFound: boolean;
  config: DevkitConfig;
  reporter: Reporter;
  /** `--yes`: act without asking (install packages, delete data). */
  yes: boolean;
  env: NodeJS.ProcessEnv;
}
