// Services: (1) cold `devkit up` of PostgreSQL, Redis, Memcached and the registry (no data
// yet: initdb included) vs a hand-written start script doing the same (bench/services-peer.sh);
// (2) warm `devkit bootstrap` with the four services running vs warm
// `pnpm install --frozen-lockfile`, on the fixture monorepo. DESIGN.md target for (2): ≤ 300 ms.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEVKIT, REPO_ROOT, report, sh, timeCommand } from './lib/harness.mjs';

const SERVICES = {
  postgres: { version: '15', databases: ['app', 'app_test'] },
  redis: { version: '7' },
  memcached: { version: '1.6' },
  registry: { version: '2' },
};
const peer = join(REPO_ROOT, 'bench/services-peer.sh');

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), runs: sorted.length };
}

function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// (1) Cold start, each run from an empty folder.
const RUNS = 3;
const devkitCold = [];
const peerCold = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'devkit-bench-up-'));
  writeFileSync(join(dir, 'devkit.json'), JSON.stringify({ services: SERVICES }));
  try {
    devkitCold.push(timed(() => sh(process.execPath, [DEVKIT, 'up'], { cwd: dir })));
  } finally {
    sh(process.execPath, [DEVKIT, 'down'], { cwd: dir });
  }
  const ports = ['postgres-15', 'redis-7', 'memcached-1', 'registry-2'].map((d) =>
    readFileSync(join(dir, '.devkit/services', d, 'port'), 'utf8').trim(),
  );
  const peerDir = join(dir, 'peer');
  try {
    peerCold.push(timed(() => sh('bash', [peer, 'start', peerDir, ...ports])));
  } finally {
    sh('bash', [peer, 'stop', peerDir]);
  }
  rmSync(dir, { recursive: true, force: true });
}
report('cold up, 4 services', median(devkitCold), median(peerCold), {
  services: Object.keys(SERVICES).length,
  peer: 'shell script: initdb, pg_ctl, daemons, poll',
});

// (2) Warm bootstrap with the services running, on the fixture monorepo.
const fixture = mkdtempSync(join(tmpdir(), 'devkit-bench-acme-services-'));
try {
  cpSync(join(REPO_ROOT, 'test/fixtures/acme'), fixture, {
    recursive: true,
    filter: (src) => !/node_modules|\.devkit|\/dist/.test(src),
  });
  const configFile = join(fixture, 'devkit.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  writeFileSync(configFile, JSON.stringify({ ...config, services: SERVICES }, null, 2));
  sh('git', ['init', '-q'], { cwd: fixture });
  sh(process.execPath, [DEVKIT, 'bootstrap', '--yes'], { cwd: fixture });
  const devkit = timeCommand(process.execPath, [DEVKIT, 'bootstrap'], { cwd: fixture, runs: 15 });
  const status = timeCommand(process.execPath, [DEVKIT, 'status'], { cwd: fixture, runs: 7 });
  const pnpm = timeCommand('pnpm', ['install', '--frozen-lockfile', '--reporter=silent'], { cwd: fixture });
  report('warm bootstrap with 4 services running, fixture', devkit, pnpm, {
    target_ms: 300,
    status_ms: Math.round(status.median),
  });
} finally {
  sh(process.execPath, [DEVKIT, 'down'], { cwd: fixture });
  rmSync(fixture, { recursive: true, force: true });
}
