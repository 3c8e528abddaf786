export { parseElf, isElf } from './elf.js';
export type { ElfInfo, ElfVersionNeed, ElfVersionedSymbol } from './elf.js';
export { parseMachO, isMachO } from './macho.js';
export type { MachOInfo, MachOSlice } from './macho.js';
export { parseBinary } from './binary.js';
export type { BinaryInfo, ArchiveInfo } from './binary.js';
export { verifyBinary, allowedSymbolVersions, compareVersions, measureElfFloor } from './policy.js';
export type { PolicyViolation, MeasuredFloor, VerifyReport } from './policy.js';
export {
  TARGET_NAMES,
  DEFAULT_TARGETS,
  CONTAINER_SOURCE_DIR,
  resolveTarget,
  applyImageFloor,
  knownTargetNames,
  packageTargetNames,
  ZIG_BUILDER,
  ZIG_MIN_FLOORS,
  DEFAULT_GLIBC,
  DEFAULT_MACOS,
} from './targets.js';
export type { TargetName, TargetSpec, TargetCxxRuntime, ImageFloors } from './targets.js';
export { ensureZig, readZigFacts, zigDir, pinnedZigVersion, ZIG_PACKAGE } from './zig.js';
export type { ZigInstall, ZigFacts, EnsureZigOptions } from './zig.js';
export { zigCacheVolumeName, zigCacheMounts, builderMounts, ZIG_CACHE_MOUNT, ZIG_CACHE_LABEL } from './zig-cache.js';
export { createDockerClient, ensureEngine, START_ENGINE_HINT } from './docker.js';
export type { DockerClient } from './docker.js';
export { withContainer, execInContainer } from './container.js';
export {
  loadBuilders,
  pickBuilder,
  ensureBuilderImage,
  readImageRecords,
  imageRecordsPath,
  baseInputsDigest,
  builtinDockerDir,
} from './images.js';
export type { BuilderDefinition, BaseSpec, ImageRecord, ImageRecords, EnsureImageResult } from './images.js';
export {
  planNativeBuilds,
  runNativeBuilds,
  buildKey,
  outputDestination,
  listCachedKeys,
  DEFAULT_SOURCE_DATE_EPOCH,
} from './build.js';
export type { NativeBuildOptions, PlannedBuild, BuildResult, BuildTimings, BuiltOutput } from './build.js';
export { collectNativeGcFacts, planNativeGc, applyNativeGc } from './gc.js';
export type { NativeGcOptions, NativeGcFacts, NativeGcPlan, NativeGcResult, GcItem, GcItemKind, GcRule } from './gc.js';
export { listFiles, packEntries, extractRegularFiles } from './tar.js';
export { findPackageDir } from './workspace.js';
export { BUILD_HELPERS, resolveBuildDependencies } from './dependencies.js';
export type { BuildDependency } from './dependencies.js';
