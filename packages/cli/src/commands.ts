import type { CommandSpec, FlagSpec } from './spec.js';

/** Flags every command takes. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: { type: 'boolean', description: 'print one JSON document on stdout and nothing else' },
  cwd: { type: 'string', placeholder: '<dir>', description: 'act on the repo at <dir> instead of the current folder' },
  help: { type: 'boolean', short: 'h', description: 'show help for a command' },
  version: { type: 'boolean', short: 'v', description: 'print the devkit version' },
};

const yes: FlagSpec = { type: 'boolean', short: 'y', description: 'do it without asking (install packages, delete data)' };

/** The whole command surface. Handlers load on demand. */
export const COMMANDS: CommandSpec = {
  name: 'devkit',
  summary: 'from git clone to production for pnpm monorepos',
  subcommands: [
    {
      name: 'bootstrap',
      summary: 'set up this checkout: toolchain, dependencies, git hooks (idempotent)',
      description:
        'Runs every step that is out of date and skips the rest. Each step fingerprints its inputs in .devkit/state.json, so a second run with nothing changed does nothing. A failed step stops the run; running again continues from there.',
      flags: {
        yes,
        'dry-run': { type: 'boolean', description: 'show which steps would run, change nothing' },
        'no-services': { type: 'boolean', description: 'skip the services step' },
      },
      load: () => import('./handlers/bootstrap.js'),
    },
    {
      name: 'doctor',
      summary: 'check every bootstrap step without changing anything; list each problem with its fix',
      load: () => import('./handlers/doctor.js'),
    },
    {
      name: 'hooks',
      summary: 'git hooks',
      subcommands: [
        { name: 'install', summary: 'install the git hooks (husky) that call devkit', load: () => import('./handlers/hooks-install.js') },
        {
          name: 'run',
          summary: 'run the checks of one hook (what the installed hook calls)',
          args: [{ name: 'hook', required: true }, { name: 'hookArgs', variadic: true }],
          load: () => import('./handlers/hooks-run.js'),
        },
      ],
    },
    {
      name: 'lint',
      summary: "the pre-commit hook's checks for CI: lint-staged tasks and the lockfile check, report only",
      description:
        'Runs the checks the pre-commit hook runs (devkit.json hooks.pre-commit) without fixing or writing anything, and exits 1 on any finding: a commit made with --no-verify is still caught. With no flag, every tracked file is checked.',
      flags: {
        staged: { type: 'boolean', description: 'check the staged content (the git index)' },
        since: { type: 'string', placeholder: '<ref>', description: 'check files changed since the merge base of <ref> and HEAD (e.g. origin/main)' },
      },
      load: () => import('./handlers/lint.js'),
    },
    {
      name: 'config',
      summary: 'devkit.json',
      subcommands: [
        { name: 'check', summary: 'validate devkit.json and print the resolved config', load: () => import('./handlers/config-check.js') },
        { name: 'schema', summary: 'print the JSON Schema of devkit.json', load: () => import('./handlers/config-schema.js') },
      ],
    },
  ],
};
