/** devkit's own version: part of every native build's cache key. */
export { devkitVersion } from '@devkit/core/install';
