import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOOPBACK } from '../health.js';
import { majorOf } from '../paths.js';
import type { Client } from 'pg';
import type { ServiceConfig, ServiceRunner } from '../runner.js';

/** The superuser initdb creates; local trust auth, loopback only: a development database. */
const SUPERUSER = 'postgres';

async function withClient<T>(port: number, timeoutMs: number, use: (client: Client) => Promise<T>): Promise<T> {
  // Loaded on demand: `pg` costs tens of milliseconds to import, and warm paths never need it.
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: LOOPBACK,
    port,
    user: SUPERUSER,
    database: 'postgres',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function databaseUrl(port: number, database: string): string {
  return `postgres://${SUPERUSER}@${LOOPBACK}:${port}/${database}`;
}

function installedMajors(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

export const postgresRunner: ServiceRunner = {
  kind: 'postgres',
  title: 'PostgreSQL',
  binaries: ['postgres'],
  searchDirs(declared) {
    const major = majorOf(declared);
    const prefixes = [`/usr/lib/postgresql/${major}/bin`, `/usr/pgsql-${major}/bin`];
    for (const brew of ['/opt/homebrew', '/usr/local', '/home/linuxbrew/.linuxbrew'])
      prefixes.push(`${brew}/opt/postgresql@${major}/bin`);
    // Other installed majors last: found only to say which version is there instead.
    for (const other of installedMajors()) if (other !== major) prefixes.push(`/usr/lib/postgresql/${other}/bin`);
    return prefixes;
  },
  versionArgs: ['--version'],
  packages: {
    apt: (declared) => `postgresql-${majorOf(declared)}`,
    brew: (declared) => `postgresql@${majorOf(declared)}`,
    dnf: () => 'postgresql-server',
  },
  stopSignal: 'SIGINT', // "fast shutdown": roll back open transactions, checkpoint, exit.
  graceMs: 15_000,
  isInitialised: (paths) => existsSync(join(paths.data, 'PG_VERSION')),
  async init(instance, target, run) {
    // initdb sits beside the real postgres binary (which a PATH entry may only link to).
    const initdb = join(dirname(realpathSync(instance.binary.path)), 'initdb');
    // --no-sync: an empty development cluster is re-created, not recovered, if the machine dies now.
    await run(initdb, ['-D', target, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'], {
      cwd: instance.paths.dir,
    });
  },
  checkData(instance) {
    let found: string;
    try {
      found = readFileSync(join(instance.paths.data, 'PG_VERSION'), 'utf8').trim();
    } catch {
      return undefined;
    }
    const want = majorOf(instance.binary.version);
    if (found === want) return undefined;
    return (
      `${instance.paths.data} holds PostgreSQL ${found} data, but the binary is PostgreSQL ${instance.binary.version}; ` +
      `it will not be started against data of another major version. Upgrade it with pg_upgrade: ` +
      `pg_upgrade -b /usr/lib/postgresql/${found}/bin -B ${dirname(realpathSync(instance.binary.path))} -d <copy of this folder> -D <new data folder initialised by initdb ${want}>, ` +
      `or move it aside and start afresh with \`devkit reset postgres --yes\``
    );
  },
  removeStaleFiles(instance) {
    // devkit has established that its postgres is not running, so a postmaster.pid is a leftover
    // of a crash; PostgreSQL itself would refuse to start if the pid in it now names a live
    // process (pids are reused after a reboot, and quickly in containers).
    const pidFile = join(instance.paths.data, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    rmSync(pidFile, { force: true });
    return ['data/postmaster.pid'];
  },
  launch(instance) {
    return {
      args: [
        '-D',
        instance.paths.data,
        '-p',
        String(instance.port),
        '-h',
        LOOPBACK,
        '-k',
        instance.paths.runtime,
        '-c',
        'logging_collector=off',
      ],
    };
  },
  warmUp() {
    import('pg').catch(() => {});
  },
  async health(port, timeoutMs) {
    await withClient(port, timeoutMs, async (client) => {
      const result = await client.query('SELECT 1 AS ok');
      if (result.rows[0]?.ok !== 1) throw new Error('SELECT 1 did not return 1');
    });
  },
  async afterReady(instance) {
    const wanted = instance.config.databases ?? [];
    if (wanted.length === 0) return [];
    return withClient(instance.port, 10_000, async (client) => {
      const existing = new Set(
        (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((r) => r.datname),
      );
      const created: string[] = [];
      for (const name of wanted) {
        if (existing.has(name)) continue;
        // Identifiers cannot be bound as parameters; the schema restricts names to [A-Za-z0-9_].
        await client.query(`CREATE DATABASE "${name}"`);
        created.push(`created database ${name}`);
      }
      return created;
    });
  },
  env(port, config: ServiceConfig) {
    const databases = config.databases ?? [];
    const env: Record<string, string> = { DATABASE_URL: databaseUrl(port, databases[0] ?? 'postgres') };
    for (const name of databases) env[`DATABASE_URL_${name.toUpperCase()}`] = databaseUrl(port, name);
    return env;
  },
  url: (port, config) => databaseUrl(port, config.databases?.[0] ?? 'postgres'),
};
