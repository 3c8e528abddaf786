import { describe, expect, it } from 'vitest';
import { DevkitError } from '@devkit/core';
import type { DockerClient } from './docker.js';
import { builderMounts, zigCacheVolumeName } from './zig-cache.js';

// An engine that must not be reached: these cases are settled before any call to it.
const unreachable = new Proxy({} as DockerClient, {
  get: (_target, key) => {
    throw new Error(`the engine was called (${String(key)})`);
  },
});

describe('the zig cache volume name', () => {
  it('is the first 12 hex digits of the builder image', () => {
    expect(zigCacheVolumeName('sha256:4edb8540cb72aaaabbbbccccdddd')).toBe('devkit-zig-cache-4edb8540cb72');
  });

  it('is not needed by a builder without zig', async () => {
    expect(await builderMounts(unreachable, { id: 'sha256:abc' }, { DEVKIT_ZIG_CACHE_VOLUME: 'x' })).toEqual([]);
  });

  it('refuses a DEVKIT_ZIG_CACHE_VOLUME that is not a volume name, with exit 2', async () => {
    const error = await builderMounts(
      unreachable,
      { id: 'sha256:abc', zig: {} },
      { DEVKIT_ZIG_CACHE_VOLUME: '../x y' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevkitError);
    expect(error).toMatchObject({ code: 'E_NATIVE_ZIG_CACHE_VOLUME', exitCode: 2 });
    expect((error as Error).message).toContain('"../x y"');
  });
});
