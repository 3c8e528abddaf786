import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { DEVKIT_BIN, cleanupTempDirs, git, runDevkit, tempDir, waitFor } from '@devkit/test-utils';
import { checkStoreByHand, cloneAndInstall, diffEntryListings, fixtureRepo, type EntryListing } from './helpers.js';

const run = promisify(execFile);

interface BuildJson {
  artifacts: Array<{
    name: string;
    digest: string;
    reused: boolean;
    layers: Array<{ part: string; digest: string; diffId: string }>;
  }>;
}

let origin: string;
beforeAll(() => {
  origin = fixtureRepo();
});
afterAll(cleanupTempDirs);

/** Names the entries that differ between the same artifact built in two clones: what the test prints on failure. */
async function explainAcrossClones(one: string, two: string, ref: string): Promise<string[]> {
  const entries = async (cwd: string) =>
    JSON.parse((await runDevkit(['artifact', 'inspect', ref, '--entries', '--json'], { cwd })).stdout) as {
      entries: Record<string, EntryListing[]>;
      record: unknown;
    };
  const [a, b] = [await entries(one), await entries(two)];
  const out = diffEntryListings(a.entries, b.entries);
  if (JSON.stringify(a.record) !== JSON.stringify(b.record))
    out.push(`build record: ${JSON.stringify(a.record).slice(0, 300)} vs ${JSON.stringify(b.record).slice(0, 300)}`);
  return out;
}

describe('devkit build on the acme fixture', () => {
  it('gives equal artifact digests from two clones built at different times, umasks, time zones, locales and users', async () => {
    const one = await cloneAndInstall(origin, 'first');
    const two = await cloneAndInstall(origin, 'a-second-clone-with-a-longer-path');
    // Different file times in the second clone, and a different user who owns it.
    for (const f of ['apps/api/src/server.ts', 'packages/shared/src/index.ts', 'apps/web/src/page.ts'])
      utimesSync(join(two, f), 978_307_200, 978_307_200);
    const home = tempDir();
    // The other user runs its own copy of this Node: the pinned build lives in the toolchain
    // cache under root's home, which other users cannot enter.
    const nodeBin = join(home, 'bin');
    mkdirSync(nodeBin);
    copyFileSync(process.execPath, join(nodeBin, 'node'));
    execFileSync('chown', ['-R', '65534:65534', two, home]);
    chownSync(join(two, '..'), 65534, 65534);

    const first = await runDevkit(['build', '--json'], { cwd: one, env: { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' } });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    // The second build starts on a later second of the clock than the first one ended on.
    const firstEnded = Math.floor(Date.now() / 1000);
    await waitFor(() => Math.floor(Date.now() / 1000) > firstEnded, {
      what: 'the next second on the clock',
      intervalMs: 10,
    });
    const second = await run(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'sh',
        '-c',
        `umask 077; exec "${join(nodeBin, 'node')}" "${DEVKIT_BIN}" build --json`,
      ],
      {
        cwd: two,
        env: {
          PATH: `${nodeBin}:${process.env.PATH ?? ''}`,
          HOME: home,
          USER: 'nobody',
          TZ: 'Pacific/Kiritimati',
          LANG: 'C.UTF-8',
          LC_ALL: 'C.UTF-8',
          NO_COLOR: '1',
        },
      },
    );
    expect(second.stderr).toBe('');
    const a = JSON.parse(first.stdout) as BuildJson;
    const b = JSON.parse(String(second.stdout)) as BuildJson;
    expect(a.artifacts.map((x) => x.name)).toEqual(['api', 'web']);
    for (const [i, art] of a.artifacts.entries()) {
      const other = b.artifacts[i]!;
      if (art.digest !== other.digest) {
        const why = await explainAcrossClones(one, two, art.name);
        process.stderr.write(`${art.name} differs between the clones:\n${why.join('\n')}\n`);
      }
      expect(other.digest).toBe(art.digest);
    }

    // Inputs unchanged: reused, not rebuilt; --check-reproducible rebuilds and finds the same bytes.
    const again = await runDevkit(['build', '--json'], { cwd: one });
    expect((JSON.parse(again.stdout) as BuildJson).artifacts.every((x) => x.reused)).toBe(true);
    const check = await runDevkit(['build', '--check-reproducible', '--json'], { cwd: one });
    expect(check.exitCode).toBe(0);
    expect((JSON.parse(check.stdout) as BuildJson).artifacts.map((x) => x.digest)).toEqual(
      a.artifacts.map((x) => x.digest),
    );

    // The extracted api runs: its workspace and npm dependencies resolve.
    const out = join(tempDir(), 'api');
    const extract = await runDevkit(['artifact', 'extract', `api@${a.artifacts[0]!.digest}`, out], { cwd: one });
    expect(extract.exitCode).toBe(0);
    const probe = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const ms = (await import('ms')).default; const s = await import('@acme/shared'); console.log(ms('1m'), typeof s.greet)",
      ],
      { cwd: out },
    );
    expect(probe.stdout.trim()).toBe('60000 function');
    expect(existsSync(join(out, 'node_modules/@types'))).toBe(false); // dev dependencies stay out

    // A changed source file: a new api artifact, web reused, and `why` names the file.
    writeFileSync(join(one, 'apps/api/src/extra.ts'), 'export const extra = 1;\n');
    const dirty = await runDevkit(['build'], { cwd: one });
    expect(dirty.exitCode).toBe(2);
    expect(dirty.stderr).toMatch(/E_DIRTY_TREE.*uncommitted changes.*apps\/api\/src\/extra\.ts[\s\S]*--allow-dirty/);
    git(one, 'add', '-A');
    git(one, 'commit', '-q', '-m', 'extra');
    const changed = JSON.parse((await runDevkit(['build', '--json'], { cwd: one })).stdout) as BuildJson;
    expect(changed.artifacts.find((x) => x.name === 'web')?.reused).toBe(true);
    const api2 = changed.artifacts.find((x) => x.name === 'api')!;
    expect(api2.reused).toBe(false);
    expect(api2.digest).not.toBe(a.artifacts[0]!.digest);
    // Only the app layer changed: the deps layer is the same blob.
    expect(api2.layers.find((l) => l.part === 'deps')?.digest).toBe(
      a.artifacts[0]!.layers.find((l) => l.part === 'deps')?.digest,
    );
    const why = await runDevkit(['why', `api@${a.artifacts[0]!.digest}`, `api@${api2.digest}`, '--json'], { cwd: one });
    expect(why.exitCode).toBe(0);
    const whyData = JSON.parse(why.stdout) as {
      files: { added: string[]; changed: string[] };
      lockfile: { changed: string[] };
      toolchain: unknown[];
    };
    expect(whyData.files.added).toEqual(['apps/api/src/extra.ts']);
    expect(whyData.files.changed).toEqual([]);
    expect(whyData.lockfile.changed).toEqual([]);
    expect(whyData.toolchain).toEqual([]);
  });

  it('--check-reproducible rebuilds for real and names the entry a non-deterministic build changes', async () => {
    const dir = await cloneAndInstall(origin, 'unstable');
    const script = join(dir, 'apps/web/build-html.mjs');
    writeFileSync(
      script,
      `${readFileSync(script, 'utf8')}writeFileSync(new URL('./dist/built-at.txt', import.meta.url), String(process.hrtime.bigint()));\n`,
    );
    git(dir, 'commit', '-q', '-am', 'stamp the build');
    expect((await runDevkit(['build'], { cwd: dir })).exitCode).toBe(0);
    const check = await runDevkit(['build', '--check-reproducible'], { cwd: dir });
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toMatch(
      /E_NOT_REPRODUCIBLE: web: the same inputs \(sha256:[a-f0-9]{64}\) gave sha256:[a-f0-9]{64}, not sha256:[a-f0-9]{64}:\n {2}layer app: dist\/built-at\.txt: File mode 644 size \d+ [a-f0-9]{12} vs File mode 644 size \d+ [a-f0-9]{12}/,
    );
    expect(check.stderr).not.toMatch(/layer app: dist\/index\.html/);
  });

  it('reports one corrupt byte in verify and inspect, and extract refuses', async () => {
    const dir = await cloneAndInstall(origin, 'corrupt');
    const built = JSON.parse((await runDevkit(['build', '--json'], { cwd: dir })).stdout) as BuildJson;
    const api = built.artifacts[0]!;
    const layer = api.layers.find((l) => l.part === 'app')!;
    const blob = join(dir, '.devkit/store/blobs/sha256', layer.digest.slice(7));
    const bytes = readFileSync(blob);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(blob, bytes);

    const verify = await runDevkit(['artifact', 'verify', `api@${api.digest}`], { cwd: dir });
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toContain(`✗ manifest app ${layer.digest}: corrupt`);
    const inspect = await runDevkit(['artifact', 'inspect', 'api', '--json'], { cwd: dir });
    expect(inspect.exitCode).toBe(1);
    expect((JSON.parse(inspect.stdout) as { damaged: Array<{ digest: string; state: string }> }).damaged).toEqual([
      expect.objectContaining({ digest: layer.digest, state: 'corrupt' }),
    ]);
    const target = join(tempDir(), 'out');
    const extract = await runDevkit(['artifact', 'extract', 'api', target], { cwd: dir });
    expect(extract.exitCode).toBe(1);
    expect(extract.stderr).toMatch(
      /E_BLOB_CORRUPT: refusing to extract api@sha256:[a-f0-9]{64}: manifest app sha256:[a-f0-9]{64} is corrupt/,
    );
    expect(existsSync(target)).toBe(false);
    // A rebuild heals the store.
    const rebuilt = await runDevkit(['build', '--check-reproducible', '--json'], { cwd: dir });
    expect(rebuilt.exitCode).toBe(0);
    expect((await runDevkit(['artifact', 'verify', 'api'], { cwd: dir })).exitCode).toBe(0);
  });

  it('keeps the store valid when packing is killed with SIGKILL, and a re-run completes', async () => {
    const dir = await cloneAndInstall(origin, 'killed');
    // Enough bytes that packing takes a while: a committed 48 MiB asset of the api.
    mkdirSync(join(dir, 'apps/api/assets'), { recursive: true });
    execFileSync('sh', ['-c', `head -c 50331648 /dev/urandom > "${join(dir, 'apps/api/assets/blob.bin')}"`]);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'big asset');
    const store = join(dir, '.devkit/store');
    const ingest = join(store, 'ingest');
    // Kill at four points of packing the big layer: as soon as its temp file in ingest/ has
    // bytes, then at a quarter, half and three quarters of them (the file grows as it is written).
    for (const mib of [1, 12, 24, 36]) {
      const child = spawn(process.execPath, [DEVKIT_BIN, 'build'], { cwd: dir, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
      // Temp files are named <pid>-<random>: this run's only, not those earlier kills left.
      const packing = await waitFor(
        () =>
          (existsSync(ingest) ? readdirSync(ingest) : []).find(
            (n) =>
              n.startsWith(`${child.pid}-`) &&
              (statSync(join(ingest, n), { throwIfNoEntry: false })?.size ?? 0) >= mib * 1024 * 1024,
          ),
        {
          what: `devkit build's layer temp file in ingest/ to reach ${mib} MiB`,
          timeoutMs: 120_000,
          intervalMs: 5,
          failIf: () => child.exitCode !== null && `devkit build exited ${child.exitCode} before`,
        },
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      // The kill landed during packing: the layer never left ingest/ for blobs/.
      expect(readdirSync(ingest)).toContain(packing);
      const state = checkStoreByHand(store);
      expect(state.bad).toEqual([]);
    }
    const rerun = await runDevkit(['build', '--json'], { cwd: dir });
    expect(rerun.stderr).toBe('');
    expect(rerun.exitCode).toBe(0);
    const verify = await runDevkit(['artifact', 'verify', 'api'], { cwd: dir });
    expect(verify.exitCode).toBe(0);
    const gc = await runDevkit(['artifact', 'gc', '--json'], { cwd: dir });
    expect(gc.exitCode).toBe(0);
    expect(readdirSync(join(store, 'ingest'))).toEqual([]);
    expect((await runDevkit(['artifact', 'verify', 'web'], { cwd: dir })).exitCode).toBe(0);
  });
});
