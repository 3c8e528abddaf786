import type { BooleanFlagSpec, FlagSpec, InputSpec } from './spec.js';

/** Flags every command takes. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: { type: 'boolean', description: 'print one JSON document on stdout and nothing else' },
  cwd: {
    type: 'string',
    placeholder: '<dir>',
    complete: 'dirs',
    description: 'act on the repo at <dir> instead of the current folder',
  },
  help: { type: 'boolean', short: 'h', description: 'show help for a command' },
  version: { type: 'boolean', short: 'v', description: 'print the devkit version' },
  color: { type: 'boolean', description: 'colour the output even when it is not a terminal (wins over NO_COLOR)' },
  'no-color': { type: 'boolean', description: 'never colour the output (wins over FORCE_COLOR)' },
  verbose: {
    type: 'boolean',
    description:
      'show every command devkit runs on stderr, with its folder, exit code and duration (also DEVKIT_DEBUG=1)',
  },
};

const yes = {
  type: 'boolean',
  short: 'y',
  description: 'do it without asking (install packages, delete data)',
} as const satisfies BooleanFlagSpec;

// What each command takes. A handler types its input from its command's spec with a type-only
// import (`CommandInput<typeof upSpec>`), so handlers still load only when their command runs.
// The tree that lazily imports the handlers is command-tree.ts: specs import no handler.

export const bootstrapSpec = {
  flags: {
    yes,
    'dry-run': { type: 'boolean', description: 'show which steps would run, change nothing' },
    'no-services': { type: 'boolean', description: 'skip the services step' },
  },
} as const satisfies InputSpec;

export const upSpec = {
  args: [{ name: 'services', variadic: true, complete: 'services' }],
  flags: {
    timeout: {
      type: 'number',
      above: 0,
      example: '120',
      placeholder: '<seconds>',
      description: 'how long each service may take to become ready (default 60)',
    },
  },
} as const satisfies InputSpec;

export const downSpec = {
  args: [{ name: 'services', variadic: true, complete: 'services' }],
  flags: { purge: { type: 'boolean', description: 'also delete their data (asks first, or --yes)' }, yes },
} as const satisfies InputSpec;

export const logsSpec = {
  args: [{ name: 'service', required: true, complete: 'services' }],
  flags: {
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
    lines: {
      type: 'number',
      integer: true,
      min: 0,
      default: 100,
      example: '200',
      short: 'n',
      placeholder: '<count>',
      description: 'how many lines from the end (default 100)',
    },
  },
} as const satisfies InputSpec;

export const envSpec = {
  flags: {
    format: {
      type: 'string',
      values: ['dotenv', 'json', 'shell'],
      default: 'dotenv',
      description: 'output format (default dotenv; shell is for eval "$(devkit env --format shell)")',
    },
  },
} as const satisfies InputSpec;

export const execSpec = {
  args: [{ name: 'command', required: true, variadic: true }],
} as const satisfies InputSpec;

export const resetSpec = {
  args: [{ name: 'service', required: true, complete: 'services' }],
  flags: { yes },
} as const satisfies InputSpec;

export const snapshotSaveSpec = {
  args: [
    { name: 'name', required: true },
    { name: 'services', variadic: true, complete: 'services' },
  ],
} as const satisfies InputSpec;

export const snapshotRestoreSpec = {
  args: [{ name: 'name', required: true, complete: 'snapshots' }],
} as const satisfies InputSpec;

export const hooksRunSpec = {
  args: [
    { name: 'hook', required: true, complete: 'hooks' },
    { name: 'hookArgs', variadic: true },
  ],
} as const satisfies InputSpec;

export const lintSpec = {
  flags: {
    staged: { type: 'boolean', conflicts: ['since'], description: 'check the staged content (the git index)' },
    since: {
      type: 'string',
      example: 'origin/main',
      placeholder: '<ref>',
      description: 'check files changed since the merge base of <ref> and HEAD (e.g. origin/main)',
    },
  },
} as const satisfies InputSpec;

export const nativeImagesSpec = {
  flags: {
    builder: {
      type: 'list',
      placeholder: '<name,…>',
      complete: 'builders',
      description: 'these builders (default: the ones the targets build on)',
    },
  },
} as const satisfies InputSpec;

export const nativeGcSpec = {
  flags: {
    'dry-run': { type: 'boolean', description: 'list what would go, with the bytes it would free; remove nothing' },
    keep: {
      type: 'number',
      integer: true,
      min: 0,
      default: 0,
      placeholder: '<n>',
      description:
        'also keep the N newest unused images per builder and cache entries per package × target (default 0)',
    },
  },
} as const satisfies InputSpec;

export const nativeBuildSpec = {
  flags: {
    package: { type: 'list', placeholder: '<name,…>', complete: 'packages', description: 'only these native packages' },
    target: {
      type: 'list',
      complete: 'targets',
      example: 'linux-x64-gnu,darwin-arm64',
      placeholder: '<target,…>',
      description: 'only these targets, e.g. linux-x64-gnu,darwin-arm64',
    },
  },
} as const satisfies InputSpec;

export const nativeVerifySpec = {
  args: [{ name: 'file', required: true, complete: 'files' }],
  flags: {
    target: {
      type: 'string',
      required: true,
      complete: 'targets',
      example: 'linux-x64-gnu',
      placeholder: '<target>',
      description: 'the target whose policy applies, e.g. linux-x64-gnu',
    },
  },
} as const satisfies InputSpec;

export const buildSpec = {
  flags: {
    'allow-dirty': {
      type: 'boolean',
      description: 'build from a work tree with uncommitted changes (recorded as dirty: true)',
    },
    'check-reproducible': {
      type: 'boolean',
      description:
        'rebuild even when the inputs match an earlier build and fail (exit 1) naming the entries that differ',
    },
    'dry-run': {
      type: 'boolean',
      description: 'print the plan (git state, turbo run, native targets, reuse, layers) and build nothing',
    },
  },
} as const satisfies InputSpec;

const refArg = [{ name: 'ref', required: true, complete: 'deployables' }] as const;

export const artifactInspectSpec = {
  args: refArg,
  flags: { entries: { type: 'boolean', description: 'also list every entry of every layer with its content digest' } },
} as const satisfies InputSpec;

export const artifactVerifySpec = { args: refArg } as const satisfies InputSpec;

export const artifactExtractSpec = {
  args: [
    { name: 'ref', required: true, complete: 'deployables' },
    { name: 'dir', required: true, complete: 'dirs' },
  ],
} as const satisfies InputSpec;

export const artifactGcSpec = {
  flags: {
    prune: {
      type: 'boolean',
      description:
        'also drop builds that are not tagged, not in recent environment history and not among the newest per name',
    },
    'keep-builds': {
      type: 'number',
      integer: true,
      min: 1,
      default: 3,
      placeholder: '<n>',
      description: 'with --prune: builds kept per name (default 3)',
    },
    'dry-run': { type: 'boolean', description: 'say what would go, remove nothing' },
  },
} as const satisfies InputSpec;

export const artifactPushSpec = {
  args: refArg,
  flags: {
    registry: {
      type: 'string',
      example: 'http://127.0.0.1:5000',
      placeholder: '<url>',
      description: 'the registry (default: $DEVKIT_REGISTRY), e.g. http://127.0.0.1:5000',
    },
  },
} as const satisfies InputSpec;

export const artifactPullSpec = {
  args: refArg,
  flags: {
    registry: {
      type: 'string',
      example: 'http://127.0.0.1:5000',
      placeholder: '<url>',
      description: 'the registry (default: $DEVKIT_REGISTRY)',
    },
  },
} as const satisfies InputSpec;

export const whySpec = {
  args: [
    { name: 'a', required: true, complete: 'deployables' },
    { name: 'b', required: true, complete: 'deployables' },
  ],
} as const satisfies InputSpec;

export const promoteSpec = {
  args: refArg,
  flags: {
    to: {
      type: 'string',
      required: true,
      complete: 'environments',
      example: 'staging',
      placeholder: '<env>',
      description: 'the environment, a key of environments in devkit.json',
    },
    force: {
      type: 'boolean',
      description: 'override the "from" gate (needs --reason); never the provenance requirement',
    },
    reason: { type: 'string', placeholder: '<text>', description: 'why, recorded in the history' },
    'dry-run': {
      type: 'boolean',
      description: 'print the plan (gates, blobs to copy, pointer move, history entry) and change nothing',
    },
  },
} as const satisfies InputSpec;

export const rollbackSpec = {
  args: [{ name: 'name', required: true, complete: 'deployables' }],
  flags: {
    env: {
      type: 'string',
      required: true,
      complete: 'environments',
      example: 'production',
      placeholder: '<env>',
      description: 'the environment',
    },
    to: {
      type: 'string',
      placeholder: '<digest>',
      description: 'a digest from the history (default: the one before the current)',
    },
    reason: { type: 'string', placeholder: '<text>', description: 'why, recorded in the history' },
    'dry-run': {
      type: 'boolean',
      description: 'print the plan (target digest, pointer move, history entry) and change nothing',
    },
  },
} as const satisfies InputSpec;

export const historySpec = {
  args: [{ name: 'name', required: true, complete: 'deployables' }],
  flags: {
    env: {
      type: 'string',
      required: true,
      complete: 'environments',
      example: 'production',
      placeholder: '<env>',
      description: 'the environment',
    },
  },
} as const satisfies InputSpec;

export const completionSpec = {
  args: [{ name: 'shell', required: true, complete: 'shells' }],
} as const satisfies InputSpec;

export const completeSpec = {
  args: [{ name: 'words', variadic: true }],
} as const satisfies InputSpec;

export const initSpec = {
  flags: {
    'dry-run': { type: 'boolean', description: 'print a unified diff of every file it would write, write nothing' },
    force: {
      type: 'boolean',
      description:
        'replace devkit.json and the CI workflow instead of adding only missing keys and keeping a changed file',
    },
  },
} as const satisfies InputSpec;
