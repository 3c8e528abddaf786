export { upServices, interruptedError } from './up.js';
export type { ServicesOptions, UpOptions, UpResult, UpServiceResult } from './up.js';
export { downServices, purgeServiceData } from './down.js';
export type { DownServiceResult } from './down.js';
export { servicesStatus } from './status.js';
export type { ServiceStatus } from './status.js';
export { serviceEnv, formatEnv, writeEnvFile, ENV_FILE, ENV_FORMATS } from './env.js';
export type { EnvFormat } from './env.js';
export { resetService } from './reset.js';
export type { ResetResult } from './reset.js';
export { saveSnapshot, restoreSnapshot, listSnapshots } from './snapshot.js';
export type { SnapshotInfo } from './snapshot.js';
export { servicesStep, servicesFingerprint } from './step.js';
export { configuredTargets, selectTargets } from './targets.js';
export type { ServiceTarget } from './targets.js';
export { inspectService, stopService } from './supervisor.js';
export type { RunState, Inspection } from './supervisor.js';
export { tailFile, followFile } from './logs.js';
export { servicePaths, runtimeRoot, majorOf, servicesRoot, snapshotsRoot } from './paths.js';
export type { ServicePaths } from './paths.js';
export { RUNNERS, SERVICE_KINDS } from './runners/index.js';
export type {
  ServiceRunner,
  ServiceKind,
  ServiceConfig,
  ServiceInstance,
  LocatedBinary,
  PackageManager,
  ServiceUser,
} from './runner.js';
export { locateBinary, findBinary, binaryCandidates, installHint } from './locate.js';
export { detectPackageManager, planInstall, applyInstall } from './install.js';
export type { InstallPlan } from './install.js';
export { parseVersionOutput, versionMatches } from './version.js';
export { preferredPort, assignPort, portIsFree, ensurePortFree } from './ports.js';
export { findPortOwner } from './process-info.js';
export { setupInputs, setupFingerprint } from './setup.js';
export { findLeftovers, stopLeftover } from './leftovers.js';
export type { Leftover } from './leftovers.js';
