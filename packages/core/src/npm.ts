/** Fetching packages from the npm registry the repo uses: its settings, packuments and checked tarballs. */
export { DEFAULT_REGISTRY, npmRegistry, fetchPackument } from './npm-registry.js';
export type { NpmRegistry, Packument, PublishedVersion } from './npm-registry.js';
export { downloadVerifiedTarball, IntegrityMismatch, removeAbandonedTemps } from './npm-tarball.js';
export type { DownloadOptions } from './npm-tarball.js';
