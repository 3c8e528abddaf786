export { checkLockfile } from './check-lockfile.js';
export { inspectRepo } from './inspect-repo.js';
export type { InspectRepoOptions } from './inspect-repo.js';
export { parseLockfile, findConflictMarkers, LOCKFILE_NAME, SUPPORTED_LOCKFILE_MAJOR } from './parse-lockfile.js';
export { loadPnpmSettings, DEFAULT_REGISTRIES } from './load-settings.js';
export type { ReadRepoFile } from './load-settings.js';
export { workingTreeReader, workingTreeManifests, listedManifests } from './repo-files.js';
export type { FindManifests } from './repo-files.js';
export { checkImporter } from './check-importers.js';
export { checkSettings } from './check-settings.js';
export { checkReferences } from './check-references.js';
export { checkResolutions, registryTarballUrl } from './check-resolutions.js';
export { effectiveManifest } from './project-manifest.js';
export { KNOWN_PNPM_MAJORS, DEFAULT_PNPM_MAJOR, pnpmRules, isKnownPnpmMajor } from './pnpm-major.js';
export type { PnpmMajor, PnpmMajorChoice, PnpmRules } from './pnpm-major.js';
export {
  dependencyClosure,
  lockfileSlice,
  lockfilePackage,
  importerEdges,
  snapshotEdges,
  resolveLockVersion,
  packageKey,
} from './dependency-closure.js';
export type { DependencyClosure, DependencyEdge, LockTarget } from './dependency-closure.js';
export { FINDING_CODES, DEPENDENCY_FIELDS } from './types.js';
export type {
  LockfileFinding,
  FindingCode,
  FindingKind,
  LockfileCheckInput,
  ParsedLockfile,
  PnpmSettings,
  WorkspaceProject,
  ProjectManifest,
  LockfilePackage,
  LockfileImporter,
  LockfileSnapshot,
  LockfileResolution,
} from './types.js';
