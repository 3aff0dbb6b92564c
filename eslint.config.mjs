// Lint: type-aware rules where they catch real bugs (a promise nobody awaits, a misused promise).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '**/dist/**', 'node_modules/**', 'data/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // a coroutine may return or throw without ever suspending
      'require-yield': 'off',
    },
  },
  {
    // A task's body is checked against the spec's JSON Schema (ajv) before anything reads it; its dozens of
    // shapes are read field by field by the interpreter, so TaskDef's index signature (and the `use` maps) stay any.
    files: ['libs/dsl/src/types.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The functions given to page.evaluate() run in the browser; this tsconfig has no DOM types for them.
    files: ['test/browser/dashboard.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
