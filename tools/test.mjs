// `pnpm test`: build (turbo, cached) so the end-to-end tests run the real binary, then every test,
// on the Node the repo pins in .node-version, whichever node started this script: another one
// re-executes it under the pinned build from the toolchain cache (tools/toolchain.sh, which
// tools/bootstrap.sh fills). In CI a pinned Node missing from the cache is an error with the fix;
// elsewhere it is fetched.
//
//   node tools/test.mjs [--node <version>] [--smoke] [vitest arguments…]
//   --node <version>  run on this exact Node version instead of the pinned one (CI's runs on the
//                     oldest and newest supported majors)
//   --smoke           only the smoke subset: unit tests, and the end-to-end tests of the CLI, the
//                     lockfile check, the commit hook, one service and the installed package
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The end-to-end files of the smoke subset; every unit test runs too (about a minute). */
const SMOKE_E2E = [
  'test/foundation/cli.test.ts',
  'test/foundation/bootstrap.test.ts',
  'test/lockfile/check.test.ts',
  'test/hooks/pre-commit.test.ts',
  'test/services/fixture.test.ts',
  // The packed `devkit` package installed and run: its bundle targets the oldest Node it supports.
  'test/package/install.test.ts',
];

const args = process.argv.slice(2);
let wanted;
let smoke = false;
const vitestArgs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--node') wanted = args[++i];
  else if (args[i] === '--smoke') smoke = true;
  else vitestArgs.push(args[i]);
}
wanted = (wanted ?? readFileSync(join(root, '.node-version'), 'utf8')).trim().replace(/^v/, '');
if (!/^\d+\.\d+\.\d+$/.test(wanted)) fail(`test: need an exact Node version (like 24.22.3), got "${wanted}"`, 2);

const withNodeFirst = (bin) => ({ ...process.env, PATH: [bin, process.env.PATH].filter(Boolean).join(delimiter) });

if (process.versions.node !== wanted) {
  const cache = process.env.DEVKIT_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'devkit');
  const dir = join(cache, 'toolchains', 'node', wanted);
  const node = join(dir, 'bin', 'node');
  if (process.env.DEVKIT_TEST_REEXEC === wanted)
    fail(`test: ${node} reports Node ${process.versions.node}, not ${wanted}; delete ${dir} and run again`, 3);
  if (!existsSync(join(dir, '.devkit-toolchain.json'))) {
    const fix = `tools/toolchain.sh node ${wanted}`;
    if (process.env.CI)
      fail(`test: Node ${wanted} is not in the toolchain cache (${dir}); run ./tools/bootstrap.sh or ${fix} first`, 3);
    const fetched = spawnSync('bash', [join(root, 'tools/toolchain.sh'), 'node', wanted], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (fetched.status !== 0) fail(`test: could not get Node ${wanted} (${fix})`, fetched.status ?? 3);
  }
  const result = spawnSync(node, [fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...withNodeFirst(join(dir, 'bin')), DEVKIT_TEST_REEXEC: wanted },
  });
  if (result.signal) process.kill(process.pid, result.signal);
  process.exit(result.status ?? 1);
}

// From here on every `node` a test or a tool starts (pnpm, turbo's tasks, vitest, the devkit
// binary the e2e tests spawn) is this one.
const env = withNodeFirst(dirname(process.execPath));
delete env.DEVKIT_TEST_REEXEC;
process.stderr.write(`test: Node ${process.version} (${process.execPath})${smoke ? ', smoke subset' : ''}\n`);

const run = (cmd, cmdArgs) => {
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, env });
  if (result.signal) process.kill(process.pid, result.signal);
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
const selection = smoke ? ['--project', 'unit', '--project', 'e2e', 'packages/', 'tools/', ...SMOKE_E2E] : [];
run('pnpm', ['exec', 'vitest', 'run', ...selection, ...vitestArgs]);

function fail(message, code) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
