import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DockerClient } from './docker.js';
import { extractRegularFiles, packEntries, type TarEntry } from './tar.js';
import { CONTAINER_SOURCE_DIR } from './targets.js';

/** One package's build in a target's container. */
export interface BatchJob {
  /** The package's files, uploaded to CONTAINER_SOURCE_DIR for its build only. */
  files: readonly TarEntry[];
  command: string;
  outputs: readonly string[];
}

/** What one job gave: the build's exit code, its staged outputs, and the end of its log. */
export interface BatchJobResult {
  /** The build command's exit code; undefined when the container ended before the job ran. */
  exitCode: number | undefined;
  /** Output names, staged in `dir`; empty when the build failed or no output glob matched. */
  files: string[];
  dir: string;
  tail: string[];
  /** The build command's own wall time, measured inside the container. */
  buildMs: number | undefined;
}

/** Where the time of one container went, in ms: every job of the container shares these. */
export interface BatchTimings {
  create: number;
  start: number;
  /** Streaming the sources in, from the start of the container to the end of the archive. */
  upload: number;
  /** From the end of the upload to the outputs' archive: every job's build and collection. */
  builds: number;
  /** From the first byte of the outputs' archive to the last one extracted. */
  download: number;
}

export interface BatchResult {
  jobs: BatchJobResult[];
  /** The exit code of the container's own script: not 0 only when it broke outside the builds. */
  exitCode: number;
  /** The end of the container's own log when it broke outside the builds. */
  tail: string[];
  timings: BatchTimings;
  /** The container's removal (also in `removals`), already under way: its wall time in ms. */
  removal: Promise<number>;
}

export interface BatchOptions {
  image: string;
  /** The environment of every build: the target's compilers and flags, HOME. */
  env: Record<string, string>;
  labels: Record<string, string>;
  /** Named volumes to mount (the builder's compiler cache); sources never come in through a mount. */
  mounts?: Docker.MountSettings[] | undefined;
  jobs: readonly BatchJob[];
  /** The mtime every uploaded file gets, so that what a build sees never varies by host. */
  mtime: Date;
  /** Where the outputs land: `<staging>/<job index>/files/<name>`. */
  staging: string;
  /** Each line of the builds' logs as it comes; `job` is -1 for the container's own lines. */
  onLine?: ((job: number, stream: 'stdout' | 'stderr', line: string) => void) | undefined;
  /**
   * The container's removal is not awaited but pushed here as soon as its outputs are in (or it
   * failed, or was aborted): it overlaps the verification of the outputs, and the caller awaits
   * them all before it returns. Each resolves to the removal's wall time in ms.
   */
  removals: Array<Promise<unknown>>;
  /** Aborting it removes the container at once and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  logTail?: number | undefined;
}

/**
 * The container's script. Its stdin is one archive of every job's sources (`src/<i>/…`); the jobs
 * come as argument pairs (command, output globs) after a marker nonce. For each job in turn:
 * CONTAINER_SOURCE_DIR holds that job's sources and nothing else, HOME and /tmp are as the image
 * has them (so no build sees what an earlier one left: its outputs depend on its own inputs
 * only), the build runs with DEVKIT_BUILD and DEVKIT_OUTPUTS, and the files its globs match are
 * copied to /devkit-out/<i>/files beside a status line (exit code, outputs, start and end in ns).
 * A marker line on both streams starts each job's log. At the end, one archive of /devkit-out
 * follows a marker on stdout: one round trip in, one out, no exec and no archive API call.
 */
const DRIVER = `set -u
nonce=$1; shift
mark() { printf '\\036devkit:%s:%s\\n' "$nonce" "$1"; printf '\\036devkit:%s:%s\\n' "$nonce" "$1" >&2; }
mkdir -p /devkit-in /devkit-out || exit 101
tar -xf - -C /devkit-in || exit 102
if [ -d "$HOME" ]; then cp -a "$HOME" /devkit-home || exit 103; fi
i=0
while [ $# -ge 2 ]; do
  if [ $i -gt 0 ]; then
    find /tmp -mindepth 1 -delete 2>/dev/null
    rm -rf "$HOME"
    if [ -d /devkit-home ]; then cp -a /devkit-home "$HOME" || exit 103; fi
  fi
  rm -rf ${CONTAINER_SOURCE_DIR} && mkdir -p ${CONTAINER_SOURCE_DIR} && rmdir ${CONTAINER_SOURCE_DIR} || exit 104
  if [ -d /devkit-in/src/$i ]; then mv /devkit-in/src/$i ${CONTAINER_SOURCE_DIR}; else mkdir ${CONTAINER_SOURCE_DIR}; fi || exit 104
  mkdir -p /devkit-out/$i/files || exit 101
  mark "begin $i"
  s=$(date +%s%N 2>/dev/null)
  (cd ${CONTAINER_SOURCE_DIR} && export DEVKIT_BUILD="$1" DEVKIT_OUTPUTS="$2" && exec sh -c "$DEVKIT_BUILD") </dev/null
  code=$?
  e=$(date +%s%N 2>/dev/null)
  n=0
  if [ $code -eq 0 ]; then
    cd ${CONTAINER_SOURCE_DIR} || exit 104
    for f in $2; do if [ -f "$f" ]; then cp "$f" /devkit-out/$i/files/ && n=$((n+1)); fi; done
    cd / || exit 104
  fi
  echo "$code $n $s $e" > /devkit-out/$i/status || exit 101
  shift 2
  i=$((i+1))
done
mark end
tar -cf /devkit-out.tar -C /devkit-out . || exit 105
printf '\\036devkit:%s:out %s\\n' "$nonce" "$(wc -c < /devkit-out.tar)"
cat /devkit-out.tar
`;

const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits one of the container's streams into lines, follows the job markers, and on stdout hands
 * the bytes after the `out <size>` marker to `archive`. A line break never sits inside a UTF-8
 * character, so whole lines decode to whole characters.
 */
class DriverStream {
  #pending = Buffer.alloc(0);
  #archiveLeft = -1;
  job = -1;
  constructor(
    private readonly marker: string,
    private readonly onLine: (job: number, line: string) => void,
    private readonly archive?: PassThrough,
    private readonly onEnd?: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.#archiveLeft >= 0) return this.#toArchive(chunk);
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (;;) {
      const nl = data.indexOf(10);
      if (nl < 0) break;
      const line = data.subarray(0, nl).toString('utf8');
      data = data.subarray(nl + 1);
      this.#line(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (this.#archiveLeft >= 0) {
        this.#pending = Buffer.alloc(0);
        return this.#toArchive(data);
      }
    }
    if (data.length > MAX_LINE_BYTES) {
      this.onLine(this.job, data.toString('utf8'));
      data = Buffer.alloc(0);
    }
    this.#pending = Buffer.from(data);
  }

  end(): void {
    if (this.#archiveLeft < 0 && this.#pending.length > 0) this.#line(this.#pending.toString('utf8'));
    this.#pending = Buffer.alloc(0);
    // An archive cut short (the container died while sending it) ends here, and fails to extract.
    this.archive?.end();
  }

  #line(line: string): void {
    const at = line.indexOf(this.marker);
    if (at < 0) return this.onLine(this.job, line);
    // A build's last line without a line break ends where the marker starts.
    if (at > 0) this.onLine(this.job, line.slice(0, at));
    const what = line.slice(at + this.marker.length);
    const begin = /^begin (\d+)$/.exec(what);
    const out = /^out (\d+)$/.exec(what);
    if (begin) this.job = Number(begin[1]);
    else if (what === 'end') {
      this.job = -1;
      this.onEnd?.();
    } else if (out && this.archive) this.#archiveLeft = Number(out[1]);
  }

  #toArchive(chunk: Buffer): void {
    if (!this.archive || this.#archiveLeft <= 0) return;
    const part = chunk.subarray(0, this.#archiveLeft);
    this.#archiveLeft -= part.length;
    this.archive.write(part);
    if (this.#archiveLeft === 0) this.archive.end();
  }
}

/**
 * Builds several packages for one target in one container of its builder: the container runs
 * the jobs in turn (each one alone in CONTAINER_SOURCE_DIR), its sources come in as one archive
 * on stdin and the outputs of every job go out as one archive on stdout, so a target costs one
 * container (create, start, remove) whatever the number of packages. Networking is off; the
 * container carries devkit's build labels (`removeOrphanedContainers` finds those of a killed
 * run). One job failing does not stop the next: each job's exit code comes back on its own.
 */
export async function runBatch(docker: DockerClient, options: BatchOptions): Promise<BatchResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const tailSize = options.logTail ?? 25;
  const nonce = randomBytes(8).toString('hex');
  const timings: BatchTimings = { create: 0, start: 0, upload: 0, builds: 0, download: 0 };
  let mark = performance.now();
  const lap = (phase: keyof BatchTimings) => {
    const now = performance.now();
    timings[phase] = Math.round((now - mark) * 10) / 10;
    mark = now;
  };
  const container = await docker.createContainer({
    Image: options.image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [DRIVER, 'devkit-batch', nonce, ...options.jobs.flatMap((j) => [j.command, j.outputs.join(' ')])],
    Env: Object.entries(options.env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: '/',
    Labels: {
      ...options.labels,
      'devkit.native': 'build',
      'devkit.pid': String(process.pid),
      'devkit.host': hostname(),
    },
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', Init: false, ...(options.mounts ? { Mounts: options.mounts } : {}) },
  });
  lap('create');
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal!.reason);
  });
  aborted.catch(() => undefined);
  signal?.addEventListener('abort', onAbort!, { once: true });
  let removal: Promise<number> | undefined;
  const remove = (): Promise<number> => {
    if (removal) return removal;
    const started = performance.now();
    removal = container
      .remove({ force: true })
      .catch(() => undefined)
      .then(() => Math.round((performance.now() - started) * 10) / 10);
    options.removals.push(removal);
    return removal;
  };
  try {
    signal?.throwIfAborted();
    const work = (async () => {
      // Attached before the start, as `docker run` does, so that no line is lost.
      const stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as unknown as NodeJS.ReadWriteStream & { end(): void; destroy(): void };
      const tails = options.jobs.map((): string[] => []);
      const ownTail: string[] = [];
      const onLine = (stream: 'stdout' | 'stderr') => (job: number, line: string) => {
        const tail = tails[job] ?? ownTail;
        tail.push(line);
        if (tail.length > tailSize) tail.shift();
        options.onLine?.(job, stream, line);
      };
      const archive = new PassThrough();
      const marker = `\x1edevkit:${nonce}:`;
      const out = new DriverStream(marker, onLine('stdout'), archive);
      // The script's last line on stderr: every build's stderr has come once it has.
      let stderrDone = (): void => undefined;
      const stderrEnded = new Promise<void>((resolve) => (stderrDone = resolve));
      const err = new DriverStream(marker, onLine('stderr'), undefined, () => stderrDone());
      const outSink = new PassThrough();
      const errSink = new PassThrough();
      outSink.on('data', (c: Buffer) => out.push(c));
      errSink.on('data', (c: Buffer) => err.push(c));
      docker.modem.demuxStream(stream, outSink, errSink);
      // The connection ends when the container does. An error on it (a container that died
      // while its sources were still coming) is judged by the container's exit code below.
      let streamError: Error | undefined;
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', (error: Error) => {
          streamError = error;
          resolve();
        });
      });
      let archiveStarted = 0;
      archive.once('data', () => (archiveStarted = performance.now()));
      const extracted = extractRegularFiles(archive as Readable, options.staging);
      extracted.catch(() => undefined);
      await container.start();
      lap('start');
      const waited = container.wait();
      waited.catch(() => undefined);
      // Every job's sources in one archive, streamed to the script's stdin; ending it ends tar's input.
      const sources = packEntries(
        options.jobs.flatMap((job, i) => job.files.map((f) => ({ ...f, name: `src/${i}/${f.name}` }))),
        { mtime: options.mtime },
      );
      const uploaded = new Promise<void>((resolve, reject) => {
        sources.on('error', reject);
        sources.on('end', resolve);
        sources.pipe(stream as NodeJS.WritableStream, { end: false });
      });
      // A container that ends before it has read everything (it broke) ends the upload too; the
      // archive's stream then fails on its closed destination, which the exit code says better.
      uploaded.catch(() => undefined);
      await Promise.race([uploaded, ended]);
      if (!streamError) stream.end();
      lap('upload');
      // Once the whole archive is in and stderr has its last line, everything has come: the
      // container's exit is not waited for (its removal, under way while the outputs are
      // verified, ends it). Otherwise the container ended first, and its exit code says how.
      const complete = Promise.all([extracted, stderrEnded]).then(
        ([files]) => files,
        () => undefined,
      );
      let written = await Promise.race([complete, ended.then(() => undefined)]);
      let exitCode = 0;
      if (written === undefined) {
        await ended;
        outSink.end();
        errSink.end();
        out.end();
        err.end();
        exitCode = ((await waited) as { StatusCode: number }).StatusCode;
        if (streamError) ownTail.push(`devkit: the connection to the container failed: ${streamError.message}`);
        written = [];
        if (exitCode === 0) {
          written = await extracted.catch((error: unknown) => {
            ownTail.push(`devkit: the outputs' archive could not be read: ${(error as Error).message}`);
            return [];
          });
        }
      }
      const downloadStarted = archiveStarted || performance.now();
      timings.builds = Math.round((downloadStarted - mark) * 10) / 10;
      mark = downloadStarted;
      lap('download');
      const removed = remove();
      const jobs = await Promise.all(
        options.jobs.map(async (_job, i): Promise<BatchJobResult> => {
          const dir = join(options.staging, String(i), 'files');
          const status = written.includes(`${i}/status`)
            ? (await readFile(join(options.staging, String(i), 'status'), 'utf8')).trim().split(' ')
            : undefined;
          const prefix = `${i}/files/`;
          const files = written.filter((w) => w.startsWith(prefix)).map((w) => w.slice(prefix.length));
          const [code, , start, end] = status ?? [];
          const buildMs =
            start && end && /^\d+$/.test(start) && /^\d+$/.test(end)
              ? Math.round(Number((BigInt(end) - BigInt(start)) / 100_000n)) / 10
              : undefined;
          return { exitCode: code === undefined ? undefined : Number(code), files, dir, tail: tails[i]!, buildMs };
        }),
      );
      return { jobs, exitCode, tail: ownTail, timings, removal: removed };
    })();
    // When the abort wins, `work` fails on its own once the container is gone: nobody waits for it.
    work.catch(() => undefined);
    return await Promise.race([work, aborted]);
  } finally {
    signal?.removeEventListener('abort', onAbort!);
    // Whatever happened (an abort, an engine error), the container goes; the caller awaits it.
    void remove();
  }
}
