export { OciStore, emptyIndex } from './store.js';
export type { Descriptor, ImageIndex, BlobState, BlobWriter } from './store.js';
export { packLayer, packMtime } from './pack.js';
export type { PackedLayer, PackOptions } from './pack.js';
export { scanDirectory, normalizeEntries, linkStaysInside, checkArchivePath } from './layer-entry.js';
export type { LayerEntry, ScanOptions } from './layer-entry.js';
export { DEFAULT_MTIME_SECONDS, tarChunks } from './tar-writer.js';
export { createBlockGzip, compressionLabel, GZIP_LEVEL, GZIP_BLOCK_SIZE } from './block-gzip.js';
export { digestOf, isDigest, parseDigest, shortDigest, digestHex } from './digest.js';
export type { Digest } from './digest.js';
export { canonicalJson } from './canonical-json.js';
export { MEDIA_TYPES, ARTIFACT_TYPE, PROVENANCE_TYPE, HISTORY_TYPE, ANNOTATIONS, EMPTY_JSON } from './media-types.js';
export { collectInputs, inputsDigest, diffInputs } from './inputs.js';
export type { InputsRecord, InputsDiff } from './inputs.js';
export { gitVisibleFiles, memberEntries, turboOutputs, readPackageJson } from './member-files.js';
export type { PackageJson } from './member-files.js';
export { planDependencyEntries } from './deploy-layout.js';
export { globToRegExp, matchesPatterns, compilePatterns, compileOutputs } from './glob.js';
export { OWN_FOLDERS, OWN_ROOT_FILES, ownPathspecs, isOwnPath, insideCheckout } from './own-files.js';
export {
  DEFAULT_BUILD_OUTPUTS,
  defaultTurboJson,
  findTurboJson,
  readTurboJson,
  resolveBuildOutputs,
} from './turbo-config.js';
export type { TurboJson, TurboTask, BuildOutputs, ResolveOutputsOptions } from './turbo-config.js';
export { findMissingOutputs } from './build-outputs.js';
export type { MissingOutputs } from './build-outputs.js';
export { provenanceStatement } from './build-record.js';
export type { BuildRecord, ProvenanceFacts } from './build-record.js';
export {
  artifactManifest,
  writeArtifact,
  registerBuild,
  attachProvenance,
  buildEntries,
  findByInputs,
  referrersOf,
  resolveRef,
  readManifest,
  kindOf,
} from './artifact.js';
export type { ArtifactManifest, LayerPart } from './artifact.js';
export { parseRef, formatRef, isArtifactName } from './refs.js';
export type { ArtifactRef } from './refs.js';
export { listLayer, readLayer, diffListings } from './layer-reader.js';
export type { LayerListing } from './layer-reader.js';
export { extractLayers, ExtractGuard } from './extract.js';
export type { ExtractLayer } from './extract.js';
export { verifyArtifact } from './verify.js';
export type { VerifyReport, VerifiedBlob } from './verify.js';
export { planGc, collectGarbage } from './gc.js';
export type { GcOptions, GcPlan, GcResult } from './gc.js';
export { takeLease, liveLeases } from './leases.js';
export { withStoreLock } from './lock.js';
export type { StoreLockOptions } from './lock.js';
export { resolveDeployables, planDeployable, buildDeployable, summarize, explainMismatch } from './build-deployable.js';
export type { DeployableSpec, BuildSession, BuiltArtifact, NativePart } from './build-deployable.js';
export { readGitState, readBuildToolchain, builderIdentity } from './build-facts.js';
export type { GitState } from './build-facts.js';
export { planDeployableBuild, describeInputsDiff, shippedNativePackages, nativeParts } from './deployable-plan.js';
export type { DeployablePlan, LayerPlan, ShippedNativePackage, NativeOutputRecord } from './deployable-plan.js';
