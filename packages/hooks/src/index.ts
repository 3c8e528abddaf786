export { hooksStep, installHooks, checkHooks, hooksFingerprint, hookBody, hooksLayout, configuredHooks, DEFAULT_HOOKS } from './install.js';
export type { InstallHooksResult, HooksLayout } from './install.js';
export { locateGit } from './git.js';
export type { GitLocation } from './git.js';
