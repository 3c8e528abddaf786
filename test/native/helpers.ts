import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { requirePrerequisite } from '@devkit/test-utils';

/** Throws (tests never skip) unless a Docker engine answers. */
export function requireDocker(): void {
  const answers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
  requirePrerequisite(
    'a Docker engine',
    answers,
    'bash tools/system/30-docker.sh (installs docker.io and starts dockerd --bridge=none --iptables=false)',
  );
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Build containers left behind by devkit runs that have ended (should always be none). Those of
 * a devkit still running — another test's build on the same engine — are not leftovers.
 */
export function leftoverContainers(): string[] {
  const out = docker('ps', '-a', '--filter', 'label=devkit.native', '--format', '{{.ID}} {{.Label "devkit.pid"}}');
  if (out === '') return [];
  return out
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, pid]) => !(Number(pid) > 0 && alive(Number(pid))))
    .map(([id]) => id!);
}

/** sha256 of every file under `dir`, by relative path. */
export function digestTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/**
 * Runs `script` with the image's Node in a fresh container (network off), after copying `files`
 * (host path → container path) in with `docker cp`; returns stdout. The container is removed.
 */
export function runInImage(image: string, files: Record<string, string>, command: string[]): string {
  const id = docker(
    'create',
    '--network',
    'none',
    '--label',
    'devkit.test=consumer',
    '--entrypoint',
    'sleep',
    image,
    'infinity',
  );
  try {
    docker('start', id);
    for (const [from, to] of Object.entries(files)) {
      docker('exec', id, 'mkdir', '-p', to.slice(0, to.lastIndexOf('/')) || '/');
      docker('cp', from, `${id}:${to}`);
    }
    return docker('exec', id, ...command);
  } finally {
    docker('rm', '-f', id);
  }
}
