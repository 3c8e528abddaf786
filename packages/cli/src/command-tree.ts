import type { CommandSpec } from './spec.js';
import {
  artifactExtractSpec,
  artifactGcSpec,
  artifactInspectSpec,
  artifactPullSpec,
  artifactPushSpec,
  artifactVerifySpec,
  bootstrapSpec,
  buildSpec,
  completeSpec,
  completionSpec,
  downSpec,
  envSpec,
  execSpec,
  historySpec,
  hooksRunSpec,
  initSpec,
  lintSpec,
  logsSpec,
  nativeBuildSpec,
  nativeGcSpec,
  nativeImagesSpec,
  nativeVerifySpec,
  promoteSpec,
  resetSpec,
  rollbackSpec,
  snapshotRestoreSpec,
  snapshotSaveSpec,
  upSpec,
  whySpec,
} from './commands.js';

/**
 * The whole command surface. Handlers load on demand; each types its input from its spec in
 * commands.ts, so the tree imports the handlers (lazily) and the handlers import only the specs.
 */
export const COMMANDS: CommandSpec = {
  name: 'devkit',
  summary: 'from git clone to production for pnpm monorepos',
  subcommands: [
    {
      name: 'bootstrap',
      summary: 'set up this checkout: toolchain, dependencies, git hooks, services (idempotent)',
      description:
        'Runs every step that is out of date and skips the rest. Each step fingerprints its inputs in .devkit/state.json, so a second run with nothing changed does nothing. A failed step stops the run; running again continues from there.',
      ...bootstrapSpec,
      load: () => import('./handlers/bootstrap.js'),
    },
    {
      name: 'doctor',
      summary: 'check every bootstrap step without changing anything; list each problem with its fix',
      load: () => import('./handlers/doctor.js'),
    },
    {
      name: 'up',
      summary: 'start services (default: all in devkit.json) natively and wait until each answers',
      description:
        'Starts each service under a small devkit supervisor, in parallel, on its per-checkout port, from .devkit/services/<name>-<major>/; waits for a real protocol check (SELECT 1, PING, version, GET /v2/), creates databases, runs setup commands whose inputs changed, writes .env.devkit. A service that died or lost its supervisor is restarted on its data. Ctrl-C stops whatever this run started.',
      ...upSpec,
      load: () => import('./handlers/up.js'),
    },
    {
      name: 'down',
      summary: 'stop services gracefully (their stop signal, then SIGKILL after a grace period)',
      ...downSpec,
      load: () => import('./handlers/down.js'),
    },
    {
      name: 'status',
      summary:
        'each service: version, state, health (a real protocol check), port, pid, uptime, URL; exit 1 if any is down',
      load: () => import('./handlers/status.js'),
    },
    {
      name: 'logs',
      summary: "print the end of a service's log",
      ...logsSpec,
      load: () => import('./handlers/logs.js'),
    },
    {
      name: 'env',
      summary: "print the services' URLs (DATABASE_URL, REDIS_URL, MEMCACHED_SERVERS, REGISTRY_URL, …)",
      ...envSpec,
      load: () => import('./handlers/env.js'),
    },
    {
      name: 'reset',
      summary: "delete one service's data and start it again empty",
      ...resetSpec,
      load: () => import('./handlers/reset.js'),
    },
    {
      name: 'snapshot',
      summary: "named copies of the services' data, to go back after a destructive change",
      subcommands: [
        {
          name: 'save',
          summary: "copy the services' data (stopped for a consistent copy, then started again)",
          ...snapshotSaveSpec,
          load: () => import('./handlers/snapshot.js').then((m) => ({ run: m.save })),
        },
        {
          name: 'restore',
          summary: "put a snapshot's data back",
          ...snapshotRestoreSpec,
          load: () => import('./handlers/snapshot.js').then((m) => ({ run: m.restore })),
        },
        {
          name: 'ls',
          summary: 'list the snapshots of this checkout',
          load: () => import('./handlers/snapshot.js').then((m) => ({ run: m.ls })),
        },
      ],
    },
    {
      name: 'hooks',
      summary: 'git hooks',
      subcommands: [
        {
          name: 'install',
          summary: 'install the git hooks (husky) that call devkit',
          load: () => import('./handlers/hooks-install.js'),
        },
        {
          name: 'run',
          summary: 'run the checks of one hook (what the installed hook calls)',
          description:
            'pre-commit runs devkit.json hooks.pre-commit (default: lint-staged, lockfile) on the staged content only: ESLint and Prettier in-process on the index version of each staged file, other lint-staged commands as programs, the lockfile check when a manifest or the lockfile is staged. Fixes are re-staged (a partially staged file is fixed in the index only and keeps its unstaged changes); no other file is written, and nothing at all when a check fails. Exit 1 on a finding.',
          ...hooksRunSpec,
          load: () => import('./handlers/hooks-run.js'),
        },
      ],
    },
    {
      name: 'lockfile',
      summary: 'pnpm-lock.yaml checks',
      subcommands: [
        {
          name: 'check',
          summary:
            'drift against the manifests (as pnpm install --frozen-lockfile judges it), integrity, allowed registries',
          description:
            'Lists every finding in one run: each project whose package.json no longer matches its importer, each pnpm setting (overrides, catalogs, patches, peer settings, pnpmfile) that differs from what the lockfile records, each package without an integrity hash or pinned commit, and each download outside the allowed registries (devkit.json lockfile.registries, default: the registries of .npmrc) or not over https. Exit 1 on any finding, 2 when the lockfile cannot be read.',
          load: () => import('./handlers/lockfile-check.js'),
        },
      ],
    },
    {
      name: 'exec',
      summary: "run a command with the repo's pinned node and pnpm first on PATH: devkit exec -- <cmd> [args…]",
      description:
        "Provisions the node and pnpm the repo pins (package.json packageManager, devEngines, engines, .node-version, .nvmrc, devkit.json toolchain) when they are not there yet, then runs the command with them first on PATH. Its exit code is devkit's; signals are passed on to it. Put `--` before the command so that its own flags are not read as devkit's.",
      ...execSpec,
      load: () => import('./handlers/exec.js'),
    },
    {
      name: 'lint',
      summary: "the pre-commit hook's checks for CI: lint-staged tasks and the lockfile check, report only",
      description:
        'Runs the checks the pre-commit hook runs (devkit.json hooks.pre-commit) without fixing or writing anything, and exits 1 on any finding: a commit made with --no-verify is still caught. With no flag, every tracked file is checked.',
      ...lintSpec,
      load: () => import('./handlers/lint.js'),
    },
    {
      name: 'native',
      summary: 'native binaries built in old-distro Docker images (Linux) and cross-compiled (macOS), verified',
      subcommands: [
        {
          name: 'images',
          summary: 'build (or make offline with debootstrap) the builder images and record their IDs',
          description:
            'Each builder is a folder of docker/ (Dockerfile + base.json). Its base image is debootstrapped from Debian and imported when no image carries the same inputs, then the Dockerfile is built on top; unchanged inputs are never rebuilt. IDs are recorded in .devkit/native/images.json, which builds pin.',
          ...nativeImagesSpec,
          load: () => import('./handlers/native-images.js'),
        },
        {
          name: 'build',
          summary: 'build, verify and cache the native packages of devkit.json for each target',
          description:
            'Each package × target builds in a fresh container of its builder image (pinned by ID, network off, sources and outputs through the archive API), in parallel up to the core count. Outputs are verified, cached in .devkit/cache/native by input digest, and land in prebuilds/<platform>-<arch>/ (addons) and dist/native/<target>/ (libraries).',
          ...nativeBuildSpec,
          load: () => import('./handlers/native-build.js'),
        },
        {
          name: 'verify',
          summary:
            "check one ELF or Mach-O binary against a target's policy (glibc symbol versions, libraries, macOS minimum, signature)",
          ...nativeVerifySpec,
          load: () => import('./handlers/native-verify.js'),
        },
        {
          name: 'gc',
          summary:
            "remove builder and base images, zig cache volumes and native cache entries this repo's configuration no longer uses",
          description:
            "Keeps what the current configuration uses: each builder's image recorded in .devkit/native/images.json or matching the builder's current inputs (and its base), and the cache entry of each package × target a build would hit now. Never removes an image or volume a container (running or not) uses, or an image also tagged outside devkit's names: it says why it kept it. --keep N also keeps the N newest unused images per builder and entries per package × target. One failed removal is reported and the rest goes on (exit 1). Without a Docker engine the cache is still collected, then exit 3.",
          ...nativeGcSpec,
          load: () => import('./handlers/native-gc.js'),
        },
      ],
    },
    {
      name: 'build',
      summary: 'CI: turbo build + native + pack each deployable into a reproducible artifact in the store',
      description:
        "Runs `turbo run build` for the deployables (the repo's turbo, else the one devkit brings; without a turbo.json, devkit's default pipeline in .devkit/turbo.json; turbo caches tasks locally, and remotely when TURBO_API/TURBO_TOKEN/TURBO_TEAM are set), then packs each deployable of devkit.json artifacts.deployables: its build output, its production dependencies from the lockfile (pnpm deploy layout) and native prebuilds, as deterministic tar+gzip layers of an OCI artifact in .devkit/store, with a build record and SLSA provenance. A deployable whose inputs digest (files git sees, lockfile slice, config, toolchain, declared env) matches an earlier build reuses it. A deployable whose declared turbo outputs match no file after its build is exit 1; .devkit/ and .turbo/ never count as uncommitted changes.",
      ...buildSpec,
      load: () => import('./handlers/build.js'),
    },
    {
      name: 'artifact',
      summary: 'the artifact store: list, inspect, verify, extract, gc, push, pull',
      subcommands: [
        {
          name: 'ls',
          summary: 'list the artifacts in the local store, newest first, with their tags',
          load: () => import('./handlers/artifact-ls.js'),
        },
        {
          name: 'inspect',
          summary: 'show an artifact: build record, layers, provenance; checks every blob (exit 1 if one is damaged)',
          ...artifactInspectSpec,
          load: () => import('./handlers/artifact-inspect.js'),
        },
        {
          name: 'verify',
          summary: 'hash every blob of an artifact against its digest; exit 1 naming a corrupt or missing one',
          ...artifactVerifySpec,
          load: () => import('./handlers/artifact-verify.js'),
        },
        {
          name: 'extract',
          summary: 'unpack an artifact into a new folder (verified; no path escapes, devices, setuid or outside links)',
          ...artifactExtractSpec,
          load: () => import('./handlers/artifact-extract.js'),
        },
        {
          name: 'gc',
          summary: 'remove blobs nothing points to; --prune also forgets old builds no environment needs',
          ...artifactGcSpec,
          load: () => import('./handlers/artifact-gc.js'),
        },
        {
          name: 'push',
          summary: 'copy an artifact (and its provenance) to an OCI registry: only the blobs it lacks, manifest last',
          ...artifactPushSpec,
          load: () => import('./handlers/artifact-push.js'),
        },
        {
          name: 'pull',
          summary: 'copy an artifact from an OCI registry into the local store, every blob checked',
          ...artifactPullSpec,
          load: () => import('./handlers/artifact-pull.js'),
        },
      ],
    },
    {
      name: 'init',
      summary: 'adopt devkit in this repo from what it has: devkit.json, .gitignore, prepare script, CI workflow',
      description:
        'Reads docker-compose/compose files (postgres, redis, memcached, registry images → services at the same versions), husky, lint-staged, simple-git-hooks and lefthook (→ hooks), apps/* and workspace packages with a start script (→ artifacts.deployables) and toolchain pins devkit does not read already, and writes devkit.json, the .gitignore entries devkit needs, a root prepare script that runs devkit hooks install, and .github/workflows/devkit.yml. Nothing is overwritten without --force: an existing devkit.json only gains missing keys, a changed workflow is kept. The old hook tools and their configs are left in place; the output lists what was carried over, what was not and why, and how to retire them. Running it again changes nothing.',
      ...initSpec,
      load: () => import('./handlers/init.js'),
    },
    {
      name: 'why',
      summary: "explain what differs between two artifacts' inputs: files, lockfile entries, toolchain, env",
      ...whySpec,
      load: () => import('./handlers/why.js'),
    },
    {
      name: 'promote',
      summary: 'point an environment at an artifact digest (no rebuild), after its gates; appends to its history',
      ...promoteSpec,
      load: () => import('./handlers/promote.js'),
    },
    {
      name: 'rollback',
      summary: 'move an environment back to its previous digest (or --to one from its history)',
      ...rollbackSpec,
      load: () => import('./handlers/rollback.js'),
    },
    {
      name: 'history',
      summary: "an environment's promotes and rollbacks, newest first (who, when, from, to, why)",
      ...historySpec,
      load: () => import('./handlers/history.js'),
    },
    {
      name: 'config',
      summary: 'devkit.json',
      subcommands: [
        {
          name: 'check',
          summary: 'validate devkit.json and print the resolved config',
          load: () => import('./handlers/config-check.js'),
        },
        {
          name: 'schema',
          summary: 'print the JSON Schema of devkit.json',
          load: () => import('./handlers/config-schema.js'),
        },
      ],
    },
    {
      name: 'completion',
      summary: 'print the completion script of a shell: bash, zsh or fish',
      description:
        'Completes commands, subcommands, flags and their values, and the names devkit.json declares (services, environments, deployables, builders, targets, native packages). The script asks devkit itself on each TAB, so it stays right after an upgrade. Install: `source <(devkit completion bash)` in ~/.bashrc; `source <(devkit completion zsh)` in ~/.zshrc after compinit; `devkit completion fish > ~/.config/fish/completions/devkit.fish`.',
      ...completionSpec,
      load: () => import('./handlers/completion.js'),
    },
    {
      name: '__complete',
      summary: 'what the completion scripts run on TAB: the completions of the last word',
      hidden: true,
      ...completeSpec,
      load: () => import('./handlers/complete.js').then((m) => m.withTree(COMMANDS)),
    },
    // Answered by the parser itself: `devkit help artifact push` is `devkit artifact push --help`.
    {
      name: 'help',
      summary: 'show the help of a command, e.g. devkit help artifact push',
      args: [{ name: 'command', variadic: true }],
    },
  ],
};
