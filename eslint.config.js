// ESLint flat config: typescript-eslint on src/, rules/, test/ and bench/, plus the architecture's
// import boundaries (see ../shared/design/ARCHITECTURE.md): the pure core never reaches for I/O,
// and rules only see the rule contract, the model and small utilities.
import tseslint from 'typescript-eslint';

const ioModules = ['node:fs', 'node:fs/promises', 'fs', 'node:net', 'node:http', 'node:https', 'node:child_process', 'pg', 'mysql2', 'mysql2/promise', '@platformatic/kafka', 'kafkajs'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/.work/**', 'test/.work/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/model/**/*.ts', 'src/lint/**/*.ts', 'src/compat/**/*.ts', 'src/diagnostics/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'model, lint, compat and diagnostics are pure: do I/O at the edges (cli, config, formats, registry, liberation).' })),
        patterns: [{ group: ['**/cli/**', '**/registry/**', '**/liberation/**', '**/config/load*'], message: 'the pure core must not depend on the edges.' }],
      }],
      'no-console': 'error',
    },
  },
  {
    files: ['rules/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.map((name) => ({ name, message: 'rules are pure: they see the rule contract, the model and small utilities.' })),
        patterns: [{ group: ['**/src/*', '!**/src/lint', '!**/src/model', '**/src/cli/**', '**/src/registry/**', '**/src/liberation/**', '**/src/config/**', '**/src/formatters/**', '**/src/compat/**'], message: 'rules import only src/lint (the rule contract), src/model and rules/util.' }],
      }],
      'no-console': 'error',
    },
  },
);
