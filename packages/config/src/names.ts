/** Names the schema and the code share; kept apart from the zod schema so that importing them is free. */
export const HOOK_NAMES = ['pre-commit', 'pre-push', 'commit-msg'] as const;
export const HOOK_CHECKS = ['lint-staged', 'lockfile', 'lint'] as const;
