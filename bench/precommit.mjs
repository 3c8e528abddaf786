// Pre-commit hook with one staged .ts file: devkit's hook (husky → devkit hooks run pre-commit,
// ESLint in-process) vs husky → lint-staged → eslint, and vs lefthook → eslint (a Go runner).
// DESIGN.md target: no slower than lefthook (ratio ≤ 1.0), aiming for 0.8.
//
// Three identical repos under bench/.work/precommit/ (same files, same typescript-eslint config,
// same lint-staged config, node_modules linked to devkit's own), one per hook runner. Each hook
// script is run the way git runs it (from the work tree top, the index as it is); runs are
// interleaved so that load on a shared machine hits all three alike.
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVKIT, REPO_ROOT, WORK, report, sh } from './lib/harness.mjs';

if (!existsSync(DEVKIT)) throw new Error('build first: pnpm build');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 3;
const base = join(WORK, 'precommit');

const FILES = {
  'package.json': `${JSON.stringify({ name: 'precommit-bench', private: true, type: 'module', 'lint-staged': { '*.ts': 'eslint --fix' } }, null, 2)}\n`,
  'eslint.config.js': `import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(js.configs.recommended, ...tseslint.configs.recommended);
`,
  'devkit.json': `${JSON.stringify({ hooks: { 'pre-commit': ['lint-staged', 'lockfile'] } }, null, 2)}\n`,
  'lefthook.yml': `pre-commit:
  commands:
    eslint:
      glob: "*.ts"
      run: node_modules/.bin/eslint --fix {staged_files}
      stage_fixed: true
`,
  '.gitignore': 'node_modules\n',
  'src/util.ts':
    'export function clamp(value: number, min: number, max: number): number {\n  return Math.min(Math.max(value, min), max);\n}\n',
};
// The staged change: a clean edit, so every runner leaves the repo as it found it and each run
// starts from the same state.
const STAGED =
  'export function clamp(value: number, min: number, max: number): number {\n  if (min > max) throw new RangeError(`min ${min} > max ${max}`);\n  return Math.min(Math.max(value, min), max);\n}\n';

/** The Go binary the lefthook npm package ships for this platform. */
function lefthookBinary() {
  const store = join(REPO_ROOT, 'node_modules/.pnpm');
  const dir = readdirSync(store).find((name) =>
    name.startsWith(`lefthook-${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}@`),
  );
  if (!dir) throw new Error('lefthook is not installed: pnpm install (it is a root devDependency)');
  return realpathSync(join(store, dir, 'node_modules', dir.slice(0, dir.lastIndexOf('@')), 'bin', 'lefthook'));
}

function makeRepo(name, install) {
  const dir = join(base, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (const [path, content] of Object.entries(FILES)) writeFileSync(join(dir, path), content);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const git = (...args) => sh('git', args, { cwd: dir });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@devkit.invalid');
  git('config', 'user.name', 'bench');
  install(dir);
  git('add', '-A');
  git('commit', '-qm', 'initial', '--no-verify');
  writeFileSync(join(dir, 'src/util.ts'), STAGED);
  git('add', 'src/util.ts');
  return dir;
}

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
  HUSKY: '1',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};
delete env.HUSKY_SKIP_HOOKS;
const lefthook = lefthookBinary();

const runners = {
  devkit: {
    dir: makeRepo('devkit', (dir) => sh(process.execPath, [DEVKIT, 'hooks', 'install'], { cwd: dir, env })),
    hook: '.husky/_/pre-commit',
  },
  'lint-staged': {
    dir: makeRepo('lint-staged', (dir) => {
      sh(process.execPath, [join(REPO_ROOT, 'node_modules/husky/bin.js')], { cwd: dir, env });
      writeFileSync(join(dir, '.husky/pre-commit'), 'lint-staged\n');
    }),
    hook: '.husky/_/pre-commit',
  },
  lefthook: {
    // LEFTHOOK_BIN: the hook script then starts the Go binary directly, lefthook at its fastest.
    dir: makeRepo('lefthook', (dir) => sh(lefthook, ['install'], { cwd: dir, env })),
    hook: '.git/hooks/pre-commit',
    env: { LEFTHOOK_BIN: lefthook },
  },
};

function runHook(runner) {
  const start = process.hrtime.bigint();
  const result = sh('sh', [runner.hook], { cwd: runner.dir, env: { ...env, ...runner.env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, output: result.stdout + result.stderr };
}

// Each runner must really have linted the file: a hook that silently does nothing would win.
for (const [name, runner] of Object.entries(runners)) {
  writeFileSync(join(runner.dir, 'src/util.ts'), `${STAGED}const unused: number = 1;\n`);
  sh('git', ['add', 'src/util.ts'], { cwd: runner.dir });
  let failed = false;
  try {
    runHook(runner);
  } catch (error) {
    failed = /no-unused-vars/.test(String(error.message));
  }
  if (!failed)
    throw new Error(`${name}: the pre-commit hook did not report the lint error; the comparison would be meaningless`);
  writeFileSync(join(runner.dir, 'src/util.ts'), STAGED);
  sh('git', ['add', 'src/util.ts'], { cwd: runner.dir });
}

// The first hook after an install (or an upgrade) builds devkit's code cache: timed once, apart.
rmSync(join(REPO_ROOT, 'node_modules/.cache/devkit'), { recursive: true, force: true });
const cold = runHook(runners.devkit).ms;

const samples = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
for (let i = 0; i < WARMUP + RUNS; i++) {
  for (const [name, runner] of Object.entries(runners)) {
    const { ms } = runHook(runner);
    if (i >= WARMUP) samples[name].push(ms);
  }
}
const stats = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), runs: sorted.length };
};
const devkit = stats(samples.devkit);
const round = (n) => Math.round(n * 10) / 10;
report('pre-commit, one staged .ts file, vs lefthook → eslint', devkit, stats(samples.lefthook), {
  target_ratio: 1.0,
  aim_ratio: 0.8,
  devkit_first_run_ms: round(cold),
  devkit_min_ms: round(devkit.min),
  peer_min_ms: round(stats(samples.lefthook).min),
  lefthook: '2.2.2',
});
report('pre-commit, one staged .ts file, vs husky → lint-staged → eslint', devkit, stats(samples['lint-staged']), {
  devkit_min_ms: round(devkit.min),
  peer_min_ms: round(stats(samples['lint-staged']).min),
  'lint-staged': '16.4.0',
});
