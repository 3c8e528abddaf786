import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { devkitPlugin } from './tools/eslint/layering.js';

// Type-aware rules need a TypeScript program: about 1.7 s more for one staged file, so the
// commit hook leaves them out and `pnpm lint:types` (run by CI) applies them to every source.
const typed = process.env.DEVKIT_LINT_TYPED === '1';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test/fixtures/**', 'bench/.work/**', '**/*.d.ts', '.devkit/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { devkit: devkitPlugin },
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      // The package order (tools/eslint/package-order.js), and no relative import across packages.
      'devkit/layering': 'error',
      'no-restricted-imports': [
        'error',
        {
          // Every Node built-in, not a hand-kept list (timers, zlib, readline … slipped through one).
          paths: builtinModules
            .filter((name) => !name.startsWith('_'))
            .map((name) => ({
              name,
              message: `Use node:${name}.`,
            })),
        },
      ],
      'no-console': 'error',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/cli/src/main.ts', 'packages/cli/src/bin.ts', 'packages/**/*.test.ts', 'packages/test-utils/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only the CLI exits; throw a DevkitError.' },
      ],
    },
  },
  ...(typed
    ? [
        {
          files: ['packages/*/src/**/*.ts'],
          languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
          rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': 'error',
            '@typescript-eslint/await-thenable': 'error',
          },
        },
      ]
    : []),
  {
    files: ['bench/**', 'tools/**', 'packages/*/scripts/**', 'eslint.config.js', 'vitest.config.ts'],
    rules: { 'no-console': 'off', 'no-restricted-syntax': 'off' },
  },
);
