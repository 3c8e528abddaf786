import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch, type BatchOptions } from './batch.js';
import { createDockerClient } from './docker.js';
import { listFiles } from './tar.js';

const docker = createDockerClient(process.env);
const IMAGE = `devkit-test/batch-${process.pid}:latest`;
const LABEL = `batch-${process.pid}`;
// What the container's script needs (sh, tar, coreutils, find) and what the test builds call.
const TOOLS = [
  'sh',
  'tar',
  'find',
  'date',
  'cp',
  'mv',
  'rm',
  'mkdir',
  'rmdir',
  'wc',
  'cat',
  'ls',
  'sleep',
  'hostname',
  'touch',
];
let work: string;

async function leftovers(): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`devkit.test=${LABEL}`] }),
  });
  return list.map((c) => c.Id);
}

/** A package folder with the given files. */
function pkg(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

// The smallest image the script runs in: the host's tools and the libraries they load, imported
// offline (no registry is reachable here), with a HOME that holds one file.
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'devkit-batch-'));
  const root = join(work, 'image');
  const binaries = TOOLS.map((t) => execFileSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).trim());
  const libraries = new Set<string>();
  for (const bin of binaries) {
    const out = execFileSync('ldd', [realpathSync(bin)], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const m = /(\/\S+) \(0x/.exec(line);
      if (m) libraries.add(m[1]!);
    }
  }
  for (const file of libraries) {
    mkdirSync(join(root, dirname(file)), { recursive: true });
    cpSync(realpathSync(file), join(root, file));
  }
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const [i, bin] of binaries.entries()) cpSync(realpathSync(bin), join(root, 'bin', TOOLS[i]!));
  mkdirSync(join(root, 'tmp'), { recursive: true, mode: 0o1777 });
  mkdirSync(join(root, 'root'), { recursive: true });
  writeFileSync(join(root, 'root', '.profile'), 'from the image\n');
  execFileSync('sh', ['-c', `tar -C ${root} -cf - . | docker import -c 'ENV PATH=/bin' - ${IMAGE}`], {
    stdio: 'ignore',
  });
}, 120_000);

afterAll(async () => {
  for (const id of await leftovers()) await docker.getContainer(id).remove({ force: true });
  await docker
    .getImage(IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

function options(
  jobs: BatchOptions['jobs'],
  extra: Partial<BatchOptions> = {},
): BatchOptions & {
  removals: Array<Promise<unknown>>;
} {
  const staging = mkdtempSync(join(work, 'staging-'));
  return {
    image: IMAGE,
    env: { HOME: '/root', GREETING: 'hello' },
    labels: { 'devkit.test': LABEL },
    jobs,
    mtime: new Date(315532800 * 1000),
    staging,
    removals: [],
    ...extra,
  };
}

describe('runBatch', () => {
  it('builds several packages in one container, each alone in the source folder, and hands back each one’s outputs and exit code', async () => {
    const a = pkg('a', { 'a.txt': 'A', 'sub/deep.txt': 'deep' });
    const b = pkg('b', { 'b.txt': 'B' });
    const c = pkg('c', { 'c.txt': 'C' });
    const d = pkg('d', { 'd.txt': 'D' });
    // Each build lists what it sees, leaves something in /tmp and HOME, and prints its container.
    const see =
      'mkdir -p out && { ls -A; ls -A /tmp; ls -A "$HOME"; echo "$GREETING $DEVKIT_OUTPUTS"; hostname; } > out/seen.txt; touch /tmp/left-by-$1 "$HOME/left-by-$1"';
    const lines: Array<[number, string, string]> = [];
    const o = options(
      [
        {
          files: await listFiles(a),
          command: `set -- a; ${see}; echo built a; printf 'no newline'`,
          outputs: ['out/*'],
        },
        { files: await listFiles(b), command: 'echo failing b >&2; exit 7', outputs: ['out/*'] },
        { files: await listFiles(c), command: 'echo c builds nothing', outputs: ['out/*.so'] },
        { files: await listFiles(d), command: `set -- d; ${see}`, outputs: ['out/*.txt', 'missing/*'] },
      ],
      { onLine: (job, stream, line) => lines.push([job, stream, line]) },
    );
    const result = await runBatch(docker, o);
    expect(result.exitCode).toBe(0);
    expect(result.jobs.map((j) => [j.exitCode, j.files])).toEqual([
      [0, ['seen.txt']],
      [7, []],
      [0, []],
      [0, ['seen.txt']],
    ]);
    const seen = (i: number) => readFileSync(join(result.jobs[i]!.dir, 'seen.txt'), 'utf8').split('\n');
    // Only its own sources (and its own out/), a clean /tmp, HOME as the image has it.
    expect(seen(0).slice(0, 5)).toEqual(['a.txt', 'out', 'sub', '.profile', 'hello out/*']);
    expect(seen(3).slice(0, 4)).toEqual(['d.txt', 'out', '.profile', 'hello out/*.txt missing/*']);
    // One container for all four.
    expect(seen(3)[4]).toBe(seen(0)[5]);
    expect(result.jobs[1]!.tail).toEqual(['failing b']);
    expect(lines).toContainEqual([0, 'stdout', 'built a']);
    expect(lines).toContainEqual([0, 'stdout', 'no newline']);
    expect(lines).toContainEqual([1, 'stderr', 'failing b']);
    expect(lines).toContainEqual([2, 'stdout', 'c builds nothing']);
    expect(lines.some(([, , line]) => line.includes('devkit:'))).toBe(false);
    expect(result.jobs[0]!.buildMs).toBeGreaterThanOrEqual(0);
    expect(Object.keys(result.timings)).toEqual(['create', 'start', 'upload', 'builds', 'download']);
    await Promise.all(o.removals);
    expect(await leftovers()).toEqual([]);
  }, 60_000);

  it('outputs are byte for byte what the build wrote, binary included', async () => {
    const a = pkg('bin', { 'x.txt': 'x' });
    const o = options([
      {
        files: await listFiles(a),
        command:
          "mkdir -p out && i=0; while [ $i -lt 300 ]; do printf '\\000\\001\\377\\n\\036'; i=$((i+1)); done > out/blob",
        outputs: ['out/blob'],
      },
    ]);
    const result = await runBatch(docker, o);
    const blob = readFileSync(join(result.jobs[0]!.dir, 'blob'));
    expect(blob.length).toBe(1500);
    expect([...blob.subarray(0, 5)]).toEqual([0, 1, 255, 10, 30]);
    await Promise.all(o.removals);
  }, 60_000);

  it('a container that breaks before any build (no tools on PATH, stdin never read): no job ran, its exit code and log say why', async () => {
    const a = pkg('broken', { 'x.txt': 'x'.repeat(4 * 1024 * 1024) });
    const o = options([{ files: await listFiles(a), command: 'echo never', outputs: ['out/*'] }], {
      env: { HOME: '/root', PATH: '/nonexistent' },
    });
    const result = await runBatch(docker, o);
    expect(result.exitCode).toBe(101);
    expect(result.tail.join('\n')).toMatch(/mkdir: (not found|No such file)/);
    expect(result.jobs.map((j) => [j.exitCode, j.files])).toEqual([[undefined, []]]);
    await Promise.all(o.removals);
    expect(await leftovers()).toEqual([]);
  }, 60_000);

  it('an abort removes the container at once and rejects with the reason', async () => {
    const a = pkg('slow', { 'x.txt': 'x' });
    const controller = new AbortController();
    const reason = new Error('interrupted by SIGINT');
    const o = options([{ files: await listFiles(a), command: 'echo started; sleep 60', outputs: ['out/*'] }], {
      signal: controller.signal,
      onLine: (_job, _stream, line) => {
        if (line === 'started') controller.abort(reason);
      },
    });
    const started = performance.now();
    await expect(runBatch(docker, o)).rejects.toBe(reason);
    await Promise.all(o.removals);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(join(o.staging, '0', 'status'))).toBe(false);
  }, 60_000);
});
