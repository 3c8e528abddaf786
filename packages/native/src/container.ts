import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { isProcessAlive, LineSplitter } from '@devkit/core';
import type { DockerClient } from './docker.js';

export interface ContainerOptions {
  image: string;
  labels: Record<string, string>;
  /** Named volumes to mount (a builder's compiler cache); sources and outputs never go through a mount. */
  mounts?: Docker.MountSettings[] | undefined;
  /**
   * When given, the removal is not awaited but pushed here, so the caller can go on (the next
   * build starts while the engine tears this container down) and await them all before it returns.
   */
  removals?: Array<Promise<void>>;
  /**
   * Aborting it (Ctrl-C reaches libraries this way, from the CLI) removes the container at once
   * and rejects with the signal's reason; the work inside ends as its container goes.
   */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `fn` with a started container that has networking disabled and only the named volumes
 * of `options.mounts`, then removes
 * the container whatever happens (error, or the abort of `options.signal`). A process killed
 * outright cannot clean up: `removeOrphanedContainers` removes what it left, by its labels.
 */
export async function withContainer<T>(
  docker: DockerClient,
  options: ContainerOptions,
  fn: (container: Docker.Container) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  signal?.throwIfAborted();
  const container = await docker.createContainer({
    Image: options.image,
    Entrypoint: ['sleep'],
    Cmd: ['infinity'],
    Labels: {
      ...options.labels,
      'devkit.native': 'build',
      'devkit.pid': String(process.pid),
      'devkit.host': hostname(),
    },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', Init: false, ...(options.mounts?.length ? { Mounts: options.mounts } : {}) },
  });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal!.reason);
  });
  aborted.catch(() => undefined);
  signal?.addEventListener('abort', onAbort!, { once: true });
  try {
    signal?.throwIfAborted();
    await Promise.race([container.start(), aborted]);
    const work = fn(container);
    // When the abort wins, `work` fails on its own once the container is gone: nobody waits for it.
    work.catch(() => undefined);
    return await Promise.race([work, aborted]);
  } finally {
    signal?.removeEventListener('abort', onAbort!);
    const removal = container
      .remove({ force: true })
      .catch(() => undefined)
      .then(() => undefined);
    if (options.removals) options.removals.push(removal);
    else await removal;
  }
}

export interface ExecResult {
  exitCode: number;
}

/**
 * Runs a command in the container, streaming its output line by line, and returns the exit code
 * the engine records for the exec (not a guess from the stream).
 */
export async function execInContainer(
  docker: DockerClient,
  container: Docker.Container,
  cmd: string[],
  options: {
    env?: Record<string, string>;
    workdir?: string;
    onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  },
): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: cmd,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    WorkingDir: options.workdir,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const splitter = (name: 'stdout' | 'stderr') => {
    const pass = new PassThrough();
    // Whole lines and whole characters, however the engine's frames cut them.
    const lines = new LineSplitter();
    pass.on('data', (chunk: Buffer) => {
      for (const line of lines.push(chunk)) options.onLine?.(name, line);
    });
    pass.on('finish', () => {
      for (const line of lines.end()) options.onLine?.(name, line);
    });
    return pass;
  };
  const out = splitter('stdout');
  const err = splitter('stderr');
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  out.end();
  err.end();
  // The stream can end a moment before the engine records the exit code: wait for it.
  for (let i = 0; ; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return { exitCode: info.ExitCode };
    if (i > 200) return { exitCode: -1 };
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Removes build containers left by a devkit process of this host that no longer runs (one that
 * was killed with SIGKILL cannot clean up after itself). Returns how many it removed.
 */
export async function removeOrphanedContainers(docker: DockerClient): Promise<number> {
  const containers = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: ['devkit.native=build', `devkit.host=${hostname()}`] }),
  });
  let removed = 0;
  for (const c of containers) {
    const pid = Number(c.Labels['devkit.pid']);
    if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
    removed++;
  }
  return removed;
}
