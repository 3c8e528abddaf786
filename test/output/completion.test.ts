import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVKIT_BIN,
  REPO_ROOT,
  cleanupTempDirs,
  hasBinary,
  requirePrerequisite,
  runDevkit,
  tempDir,
  writeFiles,
} from '@devkit/test-utils';

afterAll(cleanupTempDirs);

let repo: string;
let env: NodeJS.ProcessEnv;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  // zsh and fish come from Debian's packages (idempotent; instant when installed).
  spawnSync('bash', [join(REPO_ROOT, 'tools/system/40-shells.sh')], { stdio: 'inherit' });
  for (const shell of ['bash', 'zsh', 'fish'])
    requirePrerequisite(shell, hasBinary(shell), 'run tools/system/40-shells.sh (apt-get install -y zsh fish)');
  // `devkit` on PATH, as a user has it: the built binary on this Node.
  const bin = tempDir('devkit-bin-');
  writeFileSync(join(bin, 'devkit'), `#!/bin/sh\nexec '${process.execPath}' '${DEVKIT_BIN}' "$@"\n`);
  chmodSync(join(bin, 'devkit'), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  repo = tempDir('devkit-complete-');
  writeFiles(repo, {
    'package.json': { name: 'acme', private: true },
    // JSONC: completion reads what the loader reads.
    'devkit.json': `{
  // services the app needs
  "services": { "postgres": { "version": "15" }, "redis": { "version": "7" } },
  "environments": { "staging": {}, "production": { "from": "staging" } },
  "artifacts": { "deployables": ["apps/api", "apps/web"] },
}
`,
    'apps/api/package.json': { name: 'api' },
    'apps/web/package.json': { name: 'web' },
  });
  for (const shell of ['bash', 'zsh', 'fish']) {
    const run = await runDevkit(['completion', shell], { cwd: repo });
    expect(run.exitCode, run.stderr).toBe(0);
    scripts[shell] = join(repo, `completion.${shell}`);
    writeFileSync(scripts[shell], run.stdout);
  }
});

function shell(program: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(program, args, {
    cwd: options.cwd ?? repo,
    env: options.env ?? env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** COMPREPLY of bash's completion function for the words of a command line (the last one being completed). */
function bashComplete(words: string[]): string[] {
  const array = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = shell('bash', [
    '-c',
    `source '${scripts.bash}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _devkit_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return out.split('\n').filter(Boolean);
}

describe('devkit completion', () => {
  it('refuses a shell it does not know, naming the ones it does', async () => {
    const run = await runDevkit(['completion', 'bsh'], { cwd: repo });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      'error E_UNKNOWN_SHELL: devkit completes bash, zsh, fish, not "bsh" (did you mean bash?)',
    );
    expect(run.stderr).toContain('fix: devkit completion bash');
  });

  it('bash: registers the function and completes commands, flags and devkit.json names', () => {
    expect(shell('bash', ['-c', `source '${scripts.bash}'; complete -p devkit`]).trim()).toBe(
      'complete -F _devkit_complete devkit',
    );
    expect(bashComplete(['devkit', 'do'])).toEqual(['doctor', 'down']);
    expect(bashComplete(['devkit', 'artifact', ''])).toEqual(
      expect.arrayContaining(['ls', 'inspect', 'verify', 'push', 'pull']),
    );
    expect(bashComplete(['devkit', 'bootstrap', '--d'])).toEqual(['--dry-run']);
    expect(bashComplete(['devkit', 'up', ''])).toEqual(['postgres', 'redis']);
    expect(bashComplete(['devkit', 'logs', 'r'])).toEqual(['redis']);
    expect(bashComplete(['devkit', 'promote', 'api@sha256:0', '--to', ''])).toEqual(['staging', 'production']);
    expect(bashComplete(['devkit', 'rollback', ''])).toEqual(['api', 'web']);
    expect(bashComplete(['devkit', 'env', '--format', '=', 'j'])).toEqual(['json']);
    expect(bashComplete(['devkit', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it("bash: hands folders to bash's own completion, and reads --cwd's devkit.json", () => {
    expect(bashComplete(['devkit', 'doctor', '--cwd', 'app'])).toEqual(['apps']);
    const other = tempDir('devkit-other-');
    writeFiles(other, { 'devkit.json': '{ "services": { "memcached": { "version": "1.6" } } }' });
    expect(bashComplete(['devkit', '--cwd', other, 'up', ''])).toEqual(['memcached']);
  });

  it("asks the repo's node_modules/.bin/devkit when devkit is not on PATH (an alias to pnpm exec)", () => {
    const local = tempDir('devkit-local-');
    writeFiles(local, {
      'devkit.json': '{ "services": { "redis": { "version": "7" } } }',
      'apps/api/package.json': { name: 'api' },
    });
    writeFiles(local, { 'node_modules/.bin/devkit': `#!/bin/sh\nexec '${process.execPath}' '${DEVKIT_BIN}' "$@"\n` });
    chmodSync(join(local, 'node_modules/.bin/devkit'), 0o755);
    // PATH without any devkit (the test runner's has this repo's node_modules/.bin).
    const path = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '' && !existsSync(join(dir, 'devkit')))
      .join(delimiter);
    const noDevkit = { ...process.env, PATH: path, NO_COLOR: '1' };
    expect(spawnSync('sh', ['-c', 'command -v devkit'], { env: noDevkit }).status).not.toBe(0);
    const options = { cwd: join(local, 'apps/api'), env: noDevkit };
    const bash = shell(
      'bash',
      [
        '-c',
        `source '${scripts.bash}'; COMP_WORDS=(devkit up ''); COMP_CWORD=2; _devkit_complete; echo "\${COMPREPLY[@]}"`,
      ],
      options,
    );
    expect(bash.trim()).toBe('redis');
    const fish = shell('fish', ['-c', `source '${scripts.fish}'; complete -C 'devkit up '`], options);
    expect(fish.trim()).toBe('redis');
    const zsh = shell(
      'zsh',
      [
        '-f',
        '-c',
        `compdef() { :; }; source '${scripts.zsh}'; _describe() { print -rl -- "\${(@P)4}"; }
         words=(devkit up ''); CURRENT=3; _devkit`,
      ],
      options,
    );
    expect(zsh.trim()).toBe('redis');
  });

  it('zsh: the script parses, and its function offers the candidates with descriptions', () => {
    shell('zsh', ['-n', scripts.zsh!]);
    // compsys itself needs an interactive line editor; its two entry points are stood in for,
    // and the function runs in a real zsh.
    const out = shell('zsh', [
      '-f',
      '-c',
      `compdef() { print -r -- "compdef $*"; }
       source '${scripts.zsh}'
       _describe() { print -rl -- "\${(@P)4}"; }
       _files() { print -r -- "_files $*"; }
       words=(devkit up ''); CURRENT=3; _devkit
       words=(devkit hooks ''); CURRENT=3; _devkit
       words=(devkit doctor --cwd ''); CURRENT=4; _devkit`,
    ]);
    expect(out.split('\n')).toEqual([
      'compdef _devkit devkit',
      'postgres',
      'redis',
      expect.stringMatching(/^install:install the git hooks/),
      expect.stringMatching(/^run:run the checks of one hook/),
      '_files -/',
      '',
    ]);
  });

  it("fish: the script parses, and fish's own `complete -C` completes through it", () => {
    shell('fish', ['--no-execute', scripts.fish!]);
    const complete = (line: string) =>
      shell('fish', ['-c', `source '${scripts.fish}'; complete -C '${line}'`])
        .split('\n')
        .filter(Boolean);
    expect(complete('devkit up ')).toEqual(['postgres', 'redis']);
    expect(complete('devkit art')).toEqual([expect.stringMatching(/^artifact\tthe artifact store/)]);
    expect(complete('devkit rollback api --env pr')).toEqual(['production']);
    expect(complete('devkit doctor --cwd app')).toEqual([expect.stringMatching(/^apps\/\t/)]);
  });
});
