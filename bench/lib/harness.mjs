// Shared benchmark helpers: time commands side by side and print one JSON line per figure.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WORK = join(REPO_ROOT, 'bench/.work');
export const DEVKIT = join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** Runs a command, throwing with its output when it fails. */
export function sh(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    ...options,
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Median wall time in ms of `runs` executions after `warmup` untimed ones. */
export function timeCommand(cmd, args, { runs = 7, warmup = 2, ...options } = {}) {
  for (let i = 0; i < warmup; i++) sh(cmd, args, options);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    sh(cmd, args, options);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1), runs };
}

const round = (n) => Math.round(n * 10) / 10;

/** Prints one figure as a JSON line: devkit beside its peer, and the ratio (lower is better). */
export function report(name, devkit, peer, extra = {}) {
  const line = {
    name,
    devkit_ms: round(devkit.median),
    peer_ms: round(peer.median),
    ratio: Math.round((devkit.median / peer.median) * 1000) / 1000,
    ...extra,
  };
  console.log(JSON.stringify(line));
  return line;
}
