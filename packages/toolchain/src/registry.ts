// The registry client lives in core (native provisions zig through it too); re-exported for this package.
export { DEFAULT_REGISTRY, npmRegistry, fetchPackument } from '@devkit/core/npm';
export type { NpmRegistry, Packument, PublishedVersion } from '@devkit/core/npm';
