// `devkit init`: adopt devkit in an existing pnpm repo from what it already has. planInit reads
// and returns every file it would write (with the text before and after); applyInit writes them.
export { planInit, planDiff } from './plan.js';
export type { InitPlan, InitFile, InitAction, PlanInitOptions } from './plan.js';
export { applyInit } from './apply.js';
export {
  inferServices,
  servicesFromCompose,
  parseImage,
  versionFromTag,
  interpolate,
  parseDotenv,
  COMPOSE_FILES,
} from './compose.js';
export type { ComposeInference, MigratedService, SkippedService } from './compose.js';
export { inferHooks, huskyCommands, runsLintStaged } from './hook-sources.js';
export type { HookInference, HookSource, HookTool, ExistingHookCommand } from './hook-sources.js';
export { inferDeployables } from './deployables.js';
export type { DeployablesInference } from './deployables.js';
export { inferToolchain } from './toolchain.js';
export type { ToolchainInference } from './toolchain.js';
export { planGitignore, IGNORED_PATHS } from './gitignore.js';
export { planPrepare, HOOKS_INSTALL } from './prepare-script.js';
export type { PreparePlan } from './prepare-script.js';
export { renderWorkflow, WORKFLOW_FILE } from './workflow.js';
export type { WorkflowInput } from './workflow.js';
export { mergeDevkitJson, renderDevkitJson } from './devkit-json.js';
export type { DevkitJsonPlan } from './devkit-json.js';
export { unifiedDiff } from './unified-diff.js';
