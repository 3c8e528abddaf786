// The light entry point: loading devkit.json and the names and types every capability needs.
// The zod schema itself (and parseConfig, toJsonSchema) live at `@devkit/config/schema`, so
// that commands on the hot path (`devkit hooks run`, a warm bootstrap) never load zod.
export type { DevkitConfig, ServicesConfig, ServiceKind, HookName, HookCheck } from './schema.js';
export { HOOK_NAMES, HOOK_CHECKS, SCHEMA_PATH, SCHEMA_REF } from './names.js';
export { loadConfig, findRoot, CONFIG_FILE } from './load.js';
export type { LoadedConfig } from './load.js';
export type { ConfigIssue } from './validate.js';
export { checkConfigRules, BUILTIN_BUILDERS } from './rules.js';
export type { ConfigRuleFinding } from './rules.js';
export { closest } from '@devkit/core';
export { formatKeyPath, positionAt } from './keypath.js';
export type { ProjectContext } from './context.js';
