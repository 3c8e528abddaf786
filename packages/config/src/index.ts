export { DevkitConfigSchema, toJsonSchema, HOOK_NAMES, HOOK_CHECKS } from './schema.js';
export type { DevkitConfig, ServicesConfig, ServiceKind, HookName, HookCheck } from './schema.js';
export { loadConfig, parseConfig, findRoot, CONFIG_FILE } from './load.js';
export type { LoadedConfig, ConfigIssue } from './load.js';
export { checkConfigRules, BUILTIN_BUILDERS } from './rules.js';
export type { ConfigRuleFinding } from './rules.js';
export { closest } from './describe.js';
export { formatKeyPath, positionAt } from './locate.js';
export type { ProjectContext } from './context.js';
