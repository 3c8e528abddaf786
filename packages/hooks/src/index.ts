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
export { parseTask, splitCommand, splitArgs, fixBraces, planGroups, globMatcher } from './tasks.js';
export type { Task, LintStagedEntry, PlannedGroup, TaskSource, CommandsFunction, FunctionTask } from './tasks.js';
export {
  findLintStagedConfigs,
  loadLintStagedConfigFile,
  loadLintStagedConfigs,
  loadLintStagedConfig,
  toEntries,
  LINT_STAGED_CONFIG_FILES,
} from './lint-staged-config.js';
export type { LintStagedConfig, LintStagedConfigFile, FindLintStagedConfigsOptions } from './lint-staged-config.js';
export { planLintStaged, defaultMaxArgLength } from './lint-staged-plan.js';
export type { LintStagedGroup, PlanLintStagedOptions } from './lint-staged-plan.js';
export { BlobReader } from './blob-reader.js';
export { commandCheck, commandFiles, commandLines } from './command-check.js';
export type { HookCommandEntry, CommandCheckOptions } from './command-check.js';
