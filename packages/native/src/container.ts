import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { isProcessAlive } from '@devkit/core';
import type { DockerClient } from './docker.js';

/** Containers this process started and has not removed yet: removed on SIGINT/SIGTERM too. */
const live = new Set<Docker.Container>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let onSignal: ((signal: NodeJS.Signals) => void) | undefined;

function guardSignals(): void {
  if (onSignal) return;
  onSignal = (signal) => {
    const pending = [...live].map((c) => c.remove({ force: true }).catch(() => undefined));
    void Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 10_000))]).then(() => {
      releaseSignals();
      // Re-deliver the signal now that nothing is left behind: the default action ends the process.
      process.kill(process.pid, signal);
    });
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}

function releaseSignals(): void {
  if (!onSignal) return;
  for (const s of SIGNALS) process.off(s, onSignal);
  onSignal = undefined;
}

export interface ContainerOptions {
  image: string;
  labels: Record<string, string>;
  /**
   * When given, the removal is not awaited but pushed here, so the caller can go on (the next
   * build starts while the engine tears this container down) and await them all before it returns.
   */
  removals?: Array<Promise<void>>;
}

/**
 * Runs `fn` with a started container that has networking disabled and no mounts, then removes
 * the container whatever happens (error, Ctrl-C, SIGTERM).
 */
export async function withContainer<T>(docker: DockerClient, options: ContainerOptions, fn: (container: Docker.Container) => Promise<T>): Promise<T> {
  guardSignals();
  const container = await docker.createContainer({
    Image: options.image,
    Entrypoint: ['sleep'],
    Cmd: ['infinity'],
    Labels: { ...options.labels, 'devkit.native': 'build', 'devkit.pid': String(process.pid), 'devkit.host': hostname() },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', Init: false },
  });
  live.add(container);
  try {
    await container.start();
    return await fn(container);
  } finally {
    const removal = container
      .remove({ force: true })
      .catch(() => undefined)
      .then(() => {
        live.delete(container);
        if (live.size === 0) releaseSignals();
      });
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
  options: { env?: Record<string, string>; workdir?: string; onLine?: (stream: 'stdout' | 'stderr', line: string) => void },
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
    let rest = '';
    pass.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(name, line);
    });
    pass.on('finish', () => {
      if (rest !== '') options.onLine?.(name, rest);
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
  const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['devkit.native=build', `devkit.host=${hostname()}`] }) });
  let removed = 0;
  for (const c of containers) {
    const pid = Number(c.Labels['devkit.pid']);
    if (!Number.isInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}
