import { z } from 'zod';
import { HOOK_CHECKS, type HOOK_NAMES } from './names.js';

/**
 * The devkit.json schema: the one source of the config's types, its runtime validation and the
 * generated `schema.json`. Every object is strict, so a misspelt key is an error, not a no-op.
 */

const semverRange = z.string().min(1).describe('A semver range, e.g. ">=20.11" or "10.x".');
const nonEmpty = z.string().min(1);

const serviceBase = {
  version: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'expected a major or major.minor version such as "15" or "1.6"')
    .describe('The production version: the major (or major.minor) the local binary must match.'),
  port: z
    .number()
    .int()
    .min(1024)
    .max(65535)
    .optional()
    .describe('A fixed port; by default one is chosen once per checkout.'),
  setup: z.array(nonEmpty).optional().describe('Commands run once the service is ready (migrations, seeds).'),
  inputs: z.array(nonEmpty).optional().describe('Globs whose content decides when `setup` runs again.'),
};

export const PostgresServiceSchema = z.strictObject({
  ...serviceBase,
  databases: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a plain SQL identifier')).optional(),
});
export const RedisServiceSchema = z.strictObject(serviceBase);
export const MemcachedServiceSchema = z.strictObject(serviceBase);
export const RegistryServiceSchema = z.strictObject(serviceBase);

export const ServicesSchema = z
  .strictObject({
    postgres: PostgresServiceSchema.optional(),
    redis: RedisServiceSchema.optional(),
    memcached: MemcachedServiceSchema.optional(),
    registry: RegistryServiceSchema.optional(),
  })
  .describe('Services run natively from .devkit/services/, at production versions.');

export const HookCommandSchema = z
  .strictObject({
    run: nonEmpty.describe(
      "A shell command (sh -c), run from the repo root with node_modules/.bin on PATH. `{files}` (or `{staged_files}`) is replaced by the matching files in scope, shell-quoted and relative to the root; the hook's own arguments are $1, $2, … (commit-msg: $1 is the message file).",
    ),
    glob: z
      .union([nonEmpty, z.array(nonEmpty).min(1)])
      .optional()
      .describe(
        'Run only when a file in scope matches (lint-staged globs: without a `/` the file name anywhere, with one the path from the root). Without it the command runs on every hook run.',
      ),
    name: nonEmpty.optional().describe('What the hook output calls it (default: the command).'),
  })
  .describe('Any command, as a check of its own: a non-zero exit blocks the hook.');

const hookChecks = z.array(z.union([z.enum(HOOK_CHECKS), HookCommandSchema]));

export const HooksSchema = z
  .strictObject({
    'pre-commit': hookChecks.optional().describe('On the staged content (default: ["lint-staged", "lockfile"]).'),
    'pre-push': hookChecks.optional().describe('On the files changed since the upstream branch.'),
    'commit-msg': hookChecks.optional().describe('On the staged content.'),
  })
  .describe(
    'Git hooks devkit installs (husky) and the checks each runs: "lint-staged" (the lint-staged tasks on the changed files, fixes re-staged), "lint" (the same tasks, report only), "lockfile" (devkit lockfile check when a manifest or the lockfile changed), or a command ({ "run": …, "glob"?: …, "name"?: … }). `devkit lint` runs the pre-commit checks in CI.',
  );

export const LockfileSchema = z.strictObject({
  registries: z
    .array(z.url({ protocol: /^https?$/ }))
    .optional()
    .describe('Registries resolutions may come from; default: the registry configured for the repo.'),
});

const targetName = z
  .string()
  .regex(/^(linux|darwin|win32)-(x64|arm64)(-(gnu|musl))?$/, 'expected <os>-<arch>[-<libc>], e.g. "linux-x64-gnu"');
const versionFloor = z.string().regex(/^\d+\.\d+$/, 'expected major.minor, e.g. "2.31"');

export const NativeSchema = z.strictObject({
  builders: z
    .record(
      nonEmpty,
      z.strictObject({
        dockerfile: nonEmpty.describe('Path of the builder Dockerfile, relative to the repo root.'),
        base: z.string().optional().describe('Debian release debootstrapped for the base image, e.g. "bullseye".'),
      }),
    )
    .optional(),
  targets: z
    .record(
      targetName,
      z.strictObject({
        builder: nonEmpty
          .optional()
          .describe('Builder (a folder of docker/) whose image builds this target; built-in targets have one.'),
        glibc: versionFloor
          .optional()
          .describe(
            "Highest glibc Linux gnu outputs may need (default 2.28, Node's own floor; the zig builder meets 2.17 and up, a gcc builder its own glibc).",
          ),
        macos: versionFloor
          .optional()
          .describe('Oldest macOS the outputs must load on (default 11.0; the zig builder meets 11.0 and up).'),
        isa: z
          .enum(['x86-64', 'x86-64-v2', 'x86-64-v3', 'x86-64-v4'])
          .optional()
          .describe('Highest x86-64 ISA level outputs may need (default x86-64).'),
        env: z
          .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())
          .optional()
          .describe(
            'Compiler overrides for this target (CC, CXX, AR, CFLAGS, LDFLAGS …), merged over the built-in ones.',
          ),
      }),
    )
    .optional(),
  packages: z
    .record(
      nonEmpty,
      z.strictObject({
        build: nonEmpty.describe('Build command run inside the builder container.'),
        path: nonEmpty
          .optional()
          .describe(
            'Folder of the package, relative to the repo root; by default found among the workspace packages by name.',
          ),
        outputs: z.array(nonEmpty).min(1),
        targets: z.array(targetName).optional(),
        glibc: versionFloor
          .optional()
          .describe(
            'This package\'s glibc floor on every Linux gnu target, over native.targets.<t>.glibc (e.g. "2.17").',
          ),
        macos: versionFloor
          .optional()
          .describe("This package's macOS floor on every darwin target, over native.targets.<t>.macos."),
        dependencies: z
          .array(nonEmpty)
          .optional()
          .describe(
            "Dependencies of the package copied into the builder's node_modules, besides the build helpers it declares (node-addon-api, nan …); each must be declared in its package.json and installed.",
          ),
      }),
    )
    .optional(),
});

export const ArtifactsSchema = z.strictObject({
  deployables: z.array(nonEmpty).optional().describe('Workspace folders packed into artifacts.'),
  store: nonEmpty.optional().describe('Local OCI-layout store folder (default .devkit/store).'),
  env: z
    .array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/))
    .optional()
    .describe('Environment variables that are build inputs.'),
  keep: z.number().int().min(1).optional().describe('History entries per environment kept as GC roots.'),
});

export const EnvironmentSchema = z.strictObject({
  from: nonEmpty.optional().describe('Promotion gate: only digests that have been in this environment may come here.'),
  registry: z.string().optional().describe('Registry URL holding this environment.'),
  insecure: z.boolean().optional().describe('Allow plain http to a registry that is not on loopback.'),
  lock: z
    .strictObject({ redis: z.string().optional(), postgres: z.string().optional() })
    .optional()
    .describe('Where promotes of this environment are serialised across machines.'),
  require: z
    .strictObject({ builder: z.string().optional(), refs: z.array(nonEmpty).optional() })
    .optional()
    .describe('Provenance an artifact must carry to come here.'),
});

export const NotifySchema = z.strictObject({
  webhooks: z
    .array(
      z.strictObject({
        url: z.url({ protocol: /^https?$/ }),
        secretEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional(),
        events: z.array(z.enum(['build', 'promote', 'rollback'])).optional(),
      }),
    )
    .optional(),
});

export const DevkitConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  toolchain: z
    .strictObject({ node: semverRange.optional(), pnpm: semverRange.optional() })
    .optional()
    .describe('Versions every developer and CI must run.'),
  services: ServicesSchema.optional(),
  hooks: HooksSchema.optional(),
  lockfile: LockfileSchema.optional(),
  native: NativeSchema.optional(),
  artifacts: ArtifactsSchema.optional(),
  environments: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case name'), EnvironmentSchema)
    .optional(),
  notify: NotifySchema.optional(),
});

export type DevkitConfig = z.infer<typeof DevkitConfigSchema>;
export type ServicesConfig = z.infer<typeof ServicesSchema>;
export type ServiceKind = keyof ServicesConfig;
export type HookName = (typeof HOOK_NAMES)[number];
export type HookCheck = (typeof HOOK_CHECKS)[number];
/** A command entry of a hook (`{ "run": "pnpm typecheck", "glob": "*.ts" }`). */
export type HookCommand = z.infer<typeof HookCommandSchema>;
/** One entry of a hook's list: a built-in check by name, or a command. */
export type HookEntry = HookCheck | HookCommand;

/** The generated JSON Schema (draft 2020-12) for editors and `$schema`. */
export function toJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DevkitConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'devkit.json', $id: 'https://devkit.dev/schema/devkit.json' };
}
