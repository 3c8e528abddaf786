import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withContainer } from './container.js';
import { createDockerClient } from './docker.js';
import { builderMounts, zigCacheMounts, zigCacheVolumeName } from './zig-cache.js';

const docker = createDockerClient(process.env);
const IMAGE = 'devkit-test/sleep:latest';
const LABEL = `devkit.test=container-${process.pid}`;

/** Containers of this test still known to the engine (running or not). */
async function leftovers(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL] }) });
  return list.map((c) => c.Id);
}

// The smallest image `withContainer` can run (`sleep infinity`): the host's sleep and the
// libraries it loads, imported offline (no registry is reachable here).
beforeAll(() => {
  const root = mkdtempSync(join(tmpdir(), 'devkit-sleep-image-'));
  try {
    const sleep = realpathSync('/bin/sleep');
    const libraries = execFileSync('ldd', [sleep], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
      .filter((path): path is string => path !== undefined);
    for (const file of [sleep, ...libraries]) {
      mkdirSync(join(root, dirname(file)), { recursive: true });
      cpSync(realpathSync(file), join(root, file));
    }
    mkdirSync(join(root, 'bin'), { recursive: true });
    if (sleep !== '/bin/sleep') cpSync(sleep, join(root, 'bin', 'sleep'));
    execFileSync('sh', ['-c', `tar -C ${root} -cf - . | docker import - ${IMAGE}`], { stdio: 'ignore' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 60_000);

afterAll(async () => {
  for (const id of await leftovers()) await docker.getContainer(id).remove({ force: true });
  await docker
    .getImage(IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
});

describe('withContainer', () => {
  it('removes its container and rejects with the reason when the signal is aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted by SIGINT');
    let seen: string | undefined;
    const run = withContainer(
      docker,
      { image: IMAGE, labels: { 'devkit.test': `container-${process.pid}` }, signal: controller.signal },
      async (container) => {
        seen = container.id;
        controller.abort(reason);
        // Work that never ends by itself: only the abort gets withContainer out of here.
        await new Promise(() => undefined);
      },
    );
    await expect(run).rejects.toBe(reason);
    expect(seen).toBeDefined();
    expect(await leftovers()).toEqual([]);
  });

  it('starts no container when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted by SIGTERM'));
    await expect(
      withContainer(
        docker,
        { image: IMAGE, labels: { 'devkit.test': `container-${process.pid}` }, signal: controller.signal },
        async () => 'ran',
      ),
    ).rejects.toThrow('interrupted by SIGTERM');
    expect(await leftovers()).toEqual([]);
  });

  it('returns what the work returns and removes the container after it', async () => {
    const value = await withContainer(
      docker,
      { image: IMAGE, labels: { 'devkit.test': `container-${process.pid}` } },
      async (container) => (await container.inspect()).State.Running,
    );
    expect(value).toBe(true);
    expect(await leftovers()).toEqual([]);
  });
});

describe('the zig cache volume', () => {
  it('is made once per image with its labels and mounted at /devkit/zig-cache, with networking still off', async () => {
    const imageId = `sha256:${'ab'.repeat(32)}`;
    const name = zigCacheVolumeName(imageId);
    expect(name).toBe('devkit-zig-cache-abababababab');
    try {
      // Twice, as two runs at once would: the engine keeps the one volume.
      const [mounts] = await Promise.all([zigCacheMounts(docker, imageId), zigCacheMounts(docker, imageId)]);
      const volume = await docker.getVolume(name).inspect();
      expect(volume.Labels).toEqual({ 'devkit.native': 'zig-cache', 'devkit.image': imageId });
      const seen = await withContainer(
        docker,
        { image: IMAGE, labels: { 'devkit.test': `container-${process.pid}` }, mounts },
        async (container) => {
          const info = await container.inspect();
          return {
            mounts: info.Mounts.map((m) => [m.Type, m.Name, m.Destination, m.RW]),
            network: info.HostConfig.NetworkMode,
          };
        },
      );
      expect(seen).toEqual({ mounts: [['volume', name, '/devkit/zig-cache', true]], network: 'none' });
      expect(await builderMounts(docker, { id: imageId })).toEqual([]);
    } finally {
      await docker
        .getVolume(name)
        .remove()
        .catch(() => undefined);
    }
    expect(await leftovers()).toEqual([]);
  });
});
