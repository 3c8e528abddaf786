/**
 * An OCI Distribution client: token and basic auth, blob and manifest transfer (HEAD first,
 * chunked and resumable uploads, cross-repository mounts), referrers, retries on transient
 * answers. It moves what `@devkit/artifact` packs and stores.
 */
export { RegistryClient } from './registry-client.js';
export type { RegistryOptions } from './registry-client.js';
export { findCredentials } from './registry-auth.js';
export type { RegistryCredentials } from './registry-auth.js';
export { pushArtifact, pullArtifact, registryReferrers } from './transfer.js';
export type { TransferReport } from './transfer.js';
