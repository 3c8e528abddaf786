export { toolchainStep } from './toolchain-step.js';
export { dependenciesStep, dependenciesFingerprint } from './dependencies-step.js';
export { findPnpm, pnpmVersion } from './detect.js';
export type { PnpmInstall } from './detect.js';
export { readPins, describePin, satisfiesPins, newestSatisfying, pinnedPnpmMajor, PIN_FILES } from './pins.js';
export type { Pin, PinConfig, PinProblem, RepoPins, WantedTool, PinnedPnpmMajor, ToolName } from './pins.js';
export { describePins } from './toolchain-check.js';
export { toolchainCacheDir, devkitCacheDir, toolPackage, hostPlatform, readCached, cachedVersions } from './cache.js';
export type { ToolchainRecord } from './cache.js';
export {
  readActiveToolchain,
  toolchainPath,
  findRepoRoot,
  hostPath,
  type ActiveTool,
  type ActiveToolchainState,
} from './active.js';
