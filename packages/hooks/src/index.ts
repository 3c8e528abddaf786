export {
  hooksStep,
  installHooks,
  checkHooks,
  hooksFingerprint,
  hookBody,
  hooksLayout,
  configuredHooks,
  DEFAULT_HOOKS,
} from './install.js';
export type { InstallHooksResult, HooksLayout } from './install.js';
export { locateGit } from './git.js';
export type { GitLocation } from './git.js';
export type { FileReader, HookFinding, CheckScope, CheckContext, RepoCheck } from './checks.js';
export { runHookChecks } from './run-checks.js';
export type { RunHookChecksOptions, HookRunReport, CheckRun } from './run-checks.js';
export type { AppliedFix } from './apply.js';
export { parseStatusV2 } from './staged.js';
export type { StagedFile, IndexStatus } from './staged.js';
export { parseTask, splitCommand, planGroups, globMatcher } from './tasks.js';
export type { Task, LintStagedEntry, PlannedGroup, TaskSource } from './tasks.js';
export { loadLintStagedConfig, toEntries, LINT_STAGED_CONFIG_FILES } from './lint-staged-config.js';
export type { LintStagedConfig } from './lint-staged-config.js';
export { BlobReader } from './blob-reader.js';
