import type { ChildProcess } from 'node:child_process';
import { DevkitError, isCommandError, spawnProcess } from '@devkit/core';

interface Pending {
  name: string;
  resolve(value: Buffer | undefined): void;
  reject(error: Error): void;
}

/**
 * Reads objects from git through one long-lived `git cat-file --batch`: any number of blobs
 * for the price of one process. Names are anything cat-file takes: a blob id, `:path` (the
 * index), `HEAD:path`.
 */
export class BlobReader {
  readonly #cwd: string;
  #child: ChildProcess | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #queue: Pending[] = [];
  #failure: Error | undefined;

  constructor(cwd: string) {
    this.#cwd = cwd;
  }

  /** The object's bytes, or `undefined` when it does not exist. */
  read(name: string): Promise<Buffer | undefined> {
    if (/[\n\r]/.test(name)) {
      // Index paths come as ":<path>"; the fix names the path itself.
      const path = name.replace(/^[^:]*:/, '');
      return Promise.reject(
        new DevkitError(
          'E_GIT_PATH',
          1,
          `cannot read ${JSON.stringify(name)} from git: the name contains a line break`,
          {
            hint: `rename it to a name without line breaks: git mv ${JSON.stringify(path)} <new name>`,
          },
        ),
      );
    }
    if (this.#failure) return Promise.reject(this.#failure);
    const child = this.#start();
    return new Promise((resolve, reject) => {
      this.#queue.push({ name, resolve, reject });
      child.stdin!.write(`${name}\n`);
    });
  }

  /** Ends the cat-file process (idempotent). */
  close(): void {
    this.#child?.stdin?.end();
    this.#child = undefined;
  }

  #start(): ChildProcess {
    if (this.#child) return this.#child;
    // Long-lived, so core's lower-level spawn rather than a run to completion; the errors are
    // the runner's (a missing git is exit 3, a failing one names its stderr).
    const { child, finished } = spawnProcess('git', ['cat-file', '--batch'], {
      cwd: this.#cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      capture: 'stderr',
      failure: { code: 'E_GIT_FAILED', exitCode: 1 },
      missingHint: 'install git (e.g. sudo apt-get install git)',
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#drain();
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const pending of this.#queue.splice(0)) pending.reject(error);
    };
    finished.then(
      () => {
        if (this.#queue.length > 0)
          fail(new DevkitError('E_GIT_FAILED', 1, 'git cat-file --batch ended before answering every read'));
      },
      (error: Error) => {
        // A non-zero exit after `close` with nothing pending is no one's problem.
        if (
          this.#queue.length > 0 ||
          (isCommandError(error) && (error.reason === 'missing' || error.reason === 'start'))
        )
          fail(error);
      },
    );
    child.stdin!.on('error', () => {
      // Reported through `finished` with the exit code.
    });
    this.#child = child;
    return child;
  }

  #drain(): void {
    for (;;) {
      const pending = this.#queue[0];
      if (!pending) return;
      const eol = this.#buffer.indexOf(10);
      if (eol < 0) return;
      const header = this.#buffer.subarray(0, eol).toString('utf8');
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        this.#buffer = this.#buffer.subarray(eol + 1);
        this.#queue.shift();
        pending.resolve(undefined);
        continue;
      }
      // <oid> SP <type> SP <size> LF <contents> LF
      const size = Number(header.slice(header.lastIndexOf(' ') + 1));
      if (this.#buffer.length < eol + 1 + size + 1) return;
      const body = Buffer.from(this.#buffer.subarray(eol + 1, eol + 1 + size));
      this.#buffer = this.#buffer.subarray(eol + 1 + size + 1);
      this.#queue.shift();
      if (header.split(' ')[1] !== 'blob') pending.resolve(undefined);
      else pending.resolve(body);
    }
  }
}
