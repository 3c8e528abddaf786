// Promote and rollback time must not grow with the artifact: a 1 KB and a 1 GB artifact, on the
// local store and on a loopback registry (docker-registry). And a push of the 1 GB artifact
// against a raw upload of the same bytes with curl.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEVKIT, REPO_ROOT, WORK, report, sh } from './lib/harness.mjs';

const ROOT = join(WORK, 'promote');
const REPO = join(ROOT, 'repo');
const artifact = await import(join(REPO_ROOT, 'packages/artifact/dist/index.js'));

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function startRegistry(name) {
  const dir = join(ROOT, `registry-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: bench\n`,
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await globalThis.fetch(`${url}/v2/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  return { url, stop: () => child.kill('SIGKILL') };
}

/** Two artifacts per size (a shared payload layer plus a tiny distinct one), made once. */
async function ensureArtifacts() {
  const marker = join(ROOT, 'made.json');
  if (existsSync(marker)) return JSON.parse((await import('node:fs')).readFileSync(marker, 'utf8'));
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(REPO, { recursive: true });
  sh('git', ['init', '-q', '-b', 'main'], { cwd: REPO });
  const store = await artifact.OciStore.open(join(REPO, '.devkit/store'));
  const made = {};
  for (const [name, bytes] of [
    ['small', 1024],
    ['big', 1024 * 1024 * 1024],
  ]) {
    const payloadDir = join(ROOT, `payload-${name}`);
    mkdirSync(payloadDir, { recursive: true });
    sh('sh', ['-c', `head -c ${bytes} /dev/urandom > "${join(payloadDir, 'payload.bin')}"`]);
    const payload = await artifact.packLayer(await artifact.scanDirectory(payloadDir), store);
    rmSync(payloadDir, { recursive: true, force: true });
    made[name] = [];
    for (const variant of ['a', 'b']) {
      const tinyDir = join(ROOT, `tiny-${name}-${variant}`);
      mkdirSync(tinyDir, { recursive: true });
      writeFileSync(join(tinyDir, 'variant.txt'), variant);
      const tiny = await artifact.packLayer(await artifact.scanDirectory(tinyDir), store);
      const record = { schema: 'devkit.build-record/v1', name, variant };
      const desc = await artifact.writeArtifact(store, name, record, [
        { part: 'app', layer: payload },
        { part: 'deps', layer: tiny },
      ]);
      await artifact.registerBuild(
        store,
        name,
        desc,
        `sha256:${'0'.repeat(63)}${variant === 'a' ? '1' : '2'}`,
        new Date(),
      );
      made[name].push(desc.digest);
    }
  }
  writeFileSync(marker, JSON.stringify(made));
  return made;
}

/** Median wall time and median in-command time (durationMs of --json) of 7 runs. */
function measure(command, env) {
  const wall = [];
  const op = [];
  for (let i = 0; i < 7; i++) {
    const args =
      command[0] === 'promote'
        ? ['promote', command[1 + (i % 2)], '--to', env, '--json']
        : ['rollback', command[1], '--env', env, '--json'];
    const start = process.hrtime.bigint();
    const out = sh(process.execPath, [DEVKIT, ...args], { cwd: REPO }).stdout;
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    op.push(JSON.parse(out).durationMs);
  }
  const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { wall: { median: med(wall) }, op: { median: med(op) } };
}

const made = await ensureArtifacts();
const registry = await startRegistry('envs');
try {
  writeFileSync(
    join(REPO, 'devkit.json'),
    JSON.stringify({ environments: { staging: {}, 'reg-staging': { registry: registry.url } } }, null, 2),
  );
  // Blobs go up once, outside the timing: promotion itself must only move pointers.
  for (const name of ['small', 'big'])
    for (const d of made[name])
      sh(process.execPath, [DEVKIT, 'artifact', 'push', `${name}@${d}`, '--registry', registry.url], { cwd: REPO });

  for (const env of ['staging', 'reg-staging']) {
    const where = env === 'staging' ? 'local' : 'registry';
    const timed = {};
    for (const name of ['small', 'big']) {
      const [a, b] = made[name];
      sh(process.execPath, [DEVKIT, 'promote', `${name}@${a}`, '--to', env], { cwd: REPO });
      // Each promote moves the pointer to the other digest, so none is a no-op; each rollback undoes one.
      timed[name] = {
        promote: measure(['promote', `${name}@${b}`, `${name}@${a}`], env),
        rollback: measure(['rollback', name], env),
      };
    }
    for (const op of ['promote', 'rollback']) {
      report(`${op}-${where}-1gb-vs-1kb`, timed.big[op].wall, timed.small[op].wall, {
        note: 'devkit = 1 GB artifact, peer = 1 KB artifact (whole CLI runs); ratio must be ≤ 1.2',
        op_ms_1gb: timed.big[op].op.median,
        op_ms_1kb: timed.small[op].op.median,
        op_note:
          'op_ms: the command itself, from its start to the pointer moved (process start and module loading excluded)',
      });
    }
  }
} finally {
  registry.stop();
}

// Push of the 1 GB artifact to a fresh registry against curl uploading the same payload blob.
const store = await artifact.OciStore.open(join(REPO, '.devkit/store'));
const manifest = await artifact.readManifest(store, made.big[0]);
const payload = manifest.layers[0];
const pushRun = async () => {
  const r = await startRegistry('push');
  const start = process.hrtime.bigint();
  sh(process.execPath, [DEVKIT, 'artifact', 'push', `big@${made.big[0]}`, '--registry', r.url], { cwd: REPO });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  r.stop();
  return ms;
};
const curlRun = async () => {
  const r = await startRegistry('curl');
  const start = process.hrtime.bigint();
  const post = spawnSync('curl', ['-s', '-D', '-', '-o', '/dev/null', '-X', 'POST', `${r.url}/v2/raw/blobs/uploads/`], {
    encoding: 'utf8',
  });
  const location = /^location: (.+)$/im.exec(post.stdout)[1].trim();
  const url = `${location.startsWith('http') ? location : r.url + location}${location.includes('?') ? '&' : '?'}digest=${payload.digest}`;
  sh('curl', [
    '-s',
    '-f',
    '-o',
    '/dev/null',
    '-X',
    'PUT',
    '-H',
    'content-type: application/octet-stream',
    '-T',
    store.blobPath(payload.digest),
    url,
  ]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  r.stop();
  return ms;
};
const samples = { devkit: [], peer: [] };
for (let i = 0; i < 3; i++) {
  samples.devkit.push(await pushRun());
  samples.peer.push(await curlRun());
}
const median = (xs) => [...xs].sort((x, y) => x - y)[1];
report(
  'push-1gb-to-loopback-registry-vs-curl',
  { median: median(samples.devkit) },
  { median: median(samples.peer) },
  {
    bytes: payload.size,
    note: 'overhead target ≤ 15% (ratio ≤ 1.15)',
  },
);
rmSync(join(ROOT, 'registry-push'), { recursive: true, force: true });
rmSync(join(ROOT, 'registry-curl'), { recursive: true, force: true });
rmSync(join(ROOT, 'registry-envs'), { recursive: true, force: true });
