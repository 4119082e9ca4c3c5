// @ts-check
/**
 * One linter for the whole tree. typescript-eslint's recommended rules (syntax only: fast on 2 cores),
 * and the rule that keeps workflows deterministic: no Node built-ins, and activities and storage only as types.
 */
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', '.tools/', 'data/', 'test-output/', 'docs/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/workflows/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: nodeBuiltins.map((name) => ({ name, message: 'workflows are deterministic: no Node built-ins (DESIGN.md section 6)' })) },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/activities',
                '**/activities/**',
                '**/storage',
                '**/storage/**',
                'pg',
                'parquet-wasm',
                'apache-arrow',
                '@temporalio/activity',
              ],
              allowTypeImports: true,
              message: 'workflows reach activities and storage only through proxyActivities: import their types only',
            },
          ],
        },
      ],
    },
  },
);
