// ESLint 9 flat config, run by `npm run lint` (docs/development.md): typescript-eslint's type-aware
// recommended rules on the TypeScript, ESLint's recommended rules on the plain JavaScript. Layering and
// import circles are dependency-cruiser's job (.dependency-cruiser.cjs). No stylistic rules: formatting is
// left as it is, since a mass reformat would bury real changes.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      // What .gitignore leaves out: build output, dependencies, test and bench results.
      'dist/',
      'node_modules/',
      'coverage/',
      'test-artifacts/',
      'bench/results/',
      '.vitest-cache/',
      // A plugin that fails to parse, on purpose: the plugin tests load it.
      'test/plugins/broken/syntax-error.mjs',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // One program for src/, checks/, entry/ and test/: the same one `npm run typecheck` checks.
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_`-prefixed names are unused on purpose (a `for...in` that only counts, a key taken out of a rest spread).
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests parse kfscan's JSON and SARIF reports and the API server's answers (JSON.parse: `any`) and probe
    // them with expect(): the assertions are the check, and every format is validated against its schema in
    // its own test. Typing each parsed document would add casts, not safety. Declaring `any` is still an error.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Generic JSON merging for the remediation kit's in-process rescan: values are whatever the patches hold.
    files: ['src/remediate/strategic-merge.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
