export { toolchainStep } from './toolchain-step.js';
export type { ToolchainFacts, VersionRequirement, RootManifest } from './toolchain-check.js';
export { dependenciesStep, dependenciesFingerprint } from './dependencies-step.js';
export { findPnpm, pnpmVersion } from './detect.js';
export type { PnpmInstall } from './detect.js';
export { readPins, describePin, satisfiesPins, newestSatisfying, pinnedPnpmMajor, PIN_FILES } from './pins.js';
export type { Pin, PinConfig, PinProblem, RepoPins, WantedTool, PinnedPnpmMajor, ToolName } from './pins.js';
