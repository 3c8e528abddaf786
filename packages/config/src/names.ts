/** Names the schema and the code share; kept apart from the zod schema so that importing them is free. */
export const HOOK_NAMES = ['pre-commit', 'pre-push', 'commit-msg'] as const;
export const HOOK_CHECKS = ['lint-staged', 'lockfile', 'lint'] as const;

/** Where the JSON Schema of devkit.json is in a repo that installed devkit (`pnpm add -D devkit`). */
export const SCHEMA_PATH = 'node_modules/devkit/schema.json';
/** The `$schema` devkit.json names: the schema, relative to devkit.json at the repo root. */
export const SCHEMA_REF = `./${SCHEMA_PATH}`;
