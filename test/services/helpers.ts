import { execFile } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  cleanupTempDirs,
  hasBinary,
  requirePrerequisite,
  runDevkit,
  tempDir,
  writeFiles,
  type DevkitRun,
} from '@devkit/test-utils';

const exec = promisify(execFile);

/** The services the repo's tests use, at the versions Debian bookworm ships. */
export const ALL_SERVICES = {
  postgres: { version: '15', databases: ['app', 'app_test'] },
  redis: { version: '7' },
  memcached: { version: '1.6' },
  registry: { version: '2' },
} as const;

export function requireServiceBinaries(): void {
  for (const [name, bin] of [
    ['PostgreSQL', '/usr/lib/postgresql/15/bin/postgres'],
    ['Redis', 'redis-server'],
    ['Memcached', 'memcached'],
    ['registry', 'docker-registry'],
    ['psql', 'psql'],
    ['redis-cli', 'redis-cli'],
  ] as const) {
    requirePrerequisite(
      name,
      hasBinary(bin),
      'run ./tools/bootstrap.sh (tools/system/20-services.sh installs postgresql redis-server memcached docker-registry)',
    );
  }
}

const checkouts: string[] = [];

/**
 * A throwaway checkout with a devkit.json declaring `services`. The folder is made private
 * (0700, as mkdtemp makes it): devkit must cope when the service user cannot enter it.
 */
export function makeCheckout(services: Record<string, unknown>, extra: Record<string, string | object> = {}): string {
  const dir = tempDir('devkit-svc-');
  writeFiles(dir, { 'devkit.json': { services }, ...extra });
  chmodSync(dir, 0o700);
  checkouts.push(dir);
  return dir;
}

/** Puts a checkout made elsewhere (copyFixture) under the same afterAll clean-up. */
export function trackCheckout(dir: string): string {
  checkouts.push(dir);
  return dir;
}

export function devkit(
  dir: string,
  args: readonly string[],
  env?: Record<string, string | undefined>,
): Promise<DevkitRun> {
  return runDevkit(args, { cwd: dir, env, timeoutMs: 180_000 });
}

/**
 * Every live process that works in `dir` or names it on its command line: supervisors and
 * services run with their service folder as working directory (services may rewrite their
 * command line: redis-server shows only its address).
 */
export function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // another user's process that we may not inspect
      }
      if (cmd.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** afterAll: `devkit down` in every checkout, kill anything left, remove the folders. */
export async function cleanupCheckouts(): Promise<void> {
  await Promise.all(checkouts.map((dir) => devkit(dir, ['down']).catch(() => undefined)));
  for (const dir of checkouts.splice(0)) {
    for (const pid of processesUnder(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  cleanupTempDirs();
}

export interface SupervisorRecord {
  supervisor: { pid: number };
  service: { pid: number } | null;
  port: number;
  status: string;
}

export function supervisorRecord(dir: string, dirName: string): SupervisorRecord {
  return JSON.parse(
    readFileSync(join(dir, '.devkit/services', dirName, 'supervisor.json'), 'utf8'),
  ) as SupervisorRecord;
}

export function storedPort(dir: string, dirName: string): number {
  return Number(readFileSync(join(dir, '.devkit/services', dirName, 'port'), 'utf8').trim());
}

export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** psql, the real PostgreSQL client, against the loopback port. */
export async function psql(port: number, database: string, sql: string): Promise<string> {
  const { stdout } = await exec('psql', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    database,
    '-v',
    'ON_ERROR_STOP=1',
    '-A',
    '-t',
    '-c',
    sql,
  ]);
  return stdout.trim();
}

/** redis-cli, the real Redis client. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await exec('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

/** One memcached text-protocol exchange; resolves once the reply ends with `until`. */
export function memcached(port: number, request: string, until: RegExp): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (until.test(reply)) {
        socket.destroy();
        resolvePromise(reply);
      }
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`memcached: no complete reply to ${JSON.stringify(request)} (got ${JSON.stringify(reply)})`));
    }, 5_000);
  });
}

/** Uploads a blob to the registry (monolithic upload) and returns its digest. */
export async function pushBlob(port: number, repo: string, content: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const start = await fetch(`http://127.0.0.1:${port}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start answered ${start.status}`);
  const location = new URL(start.headers.get('location')!, `http://127.0.0.1:${port}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    body: content,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (put.status !== 201) throw new Error(`upload answered ${put.status}: ${await put.text()}`);
  return digest;
}

export async function getBlob(port: number, repo: string, digest: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/v2/${repo}/blobs/${digest}`);
  return { status: response.status, body: await response.text() };
}

export interface StatusJson {
  ok: boolean;
  services: Array<{
    name: string;
    state: string;
    healthy: boolean;
    port: number | null;
    pid: number | null;
    url: string | null;
    version: string | null;
    uptimeMs: number | null;
    reason: string;
  }>;
}

export function parseJson<T>(run: DevkitRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.exitCode}):\n${run.stdout}\n--- stderr:\n${run.stderr}`);
  }
}
