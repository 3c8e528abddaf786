import type Docker from 'dockerode';
import { usageError } from '@devkit/core';
import type { DockerClient } from './docker.js';

/** Where build containers of a zig builder see its cache (ZIG_GLOBAL_CACHE_DIR in docker/zig/Dockerfile). */
export const ZIG_CACHE_MOUNT = '/devkit/zig-cache';

/** The label every zig cache volume carries (`native gc` finds them by it). */
export const ZIG_CACHE_LABEL = 'zig-cache';

/**
 * The zig cache volume of one builder image: `devkit-zig-cache-<first 12 hex of its ID>`. One
 * per image, since what zig caches (libc++, libunwind, libc stubs per target and flag set)
 * belongs to that zig; an image that goes takes only its own volume's use with it.
 */
export function zigCacheVolumeName(imageId: string): string {
  return `devkit-zig-cache-${imageId.replace(/^sha256:/, '').slice(0, 12)}`;
}

/**
 * Makes the image's zig cache volume exist (creating a volume that exists is a no-op for the
 * engine, so concurrent runs need no lock) and returns the mount build containers get. zig
 * locks its own cache entries, so containers of one run or of several runs share it safely; a
 * cold and a warm cache give the same bytes (tested), so the cache is never a build input.
 */
export async function zigCacheMounts(
  docker: DockerClient,
  imageId: string,
  name: string = zigCacheVolumeName(imageId),
): Promise<Docker.MountSettings[]> {
  await docker.createVolume({
    Name: name,
    Labels: { 'devkit.native': ZIG_CACHE_LABEL, 'devkit.image': imageId },
  });
  return [{ Type: 'volume', Source: name, Target: ZIG_CACHE_MOUNT, ReadOnly: false }];
}

/**
 * The mounts a build container of this builder image needs: the zig cache for a zig builder, none
 * otherwise. DEVKIT_ZIG_CACHE_VOLUME names another volume to use instead (a runner that keeps one
 * named volume between jobs, or a build that must start cold without touching the shared one).
 */
export async function builderMounts(
  docker: DockerClient,
  image: { id: string; zig?: unknown },
  env: NodeJS.ProcessEnv = {},
): Promise<Docker.MountSettings[]> {
  if (image.zig === undefined) return [];
  const named = env.DEVKIT_ZIG_CACHE_VOLUME?.trim();
  if (named && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(named))
    throw usageError('E_NATIVE_ZIG_CACHE_VOLUME', `DEVKIT_ZIG_CACHE_VOLUME="${named}" is not a Docker volume name`, {
      hint: 'use letters, digits, "_", "." and "-" (starting with a letter or digit), or unset it to use the builder image\'s own volume',
    });
  return zigCacheMounts(docker, image.id, named || undefined);
}
