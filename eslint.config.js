// Lint: typescript-eslint's recommended rules, React hooks, no import cycles, type-only imports
// marked as such. `npm run lint`; .ci/run runs it before the tests.
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'react-hooks': reactHooks, 'import-x': importX },
    languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } },
    // Imports name the .js a .ts compiles to; the TypeScript resolver maps them back, so cycles are seen.
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })], 'import-x/extensions': ['.ts', '.tsx', '.js'] },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // The simulators and tests handle arbitrary JSON; src outside sim/ has no `any` (see below).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The launcher runs on any Node to say which one it needs: plain CommonJS.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/sim/**'],
    // Outside the simulators unknown JSON is `unknown`, narrowed by guards; objects have types.
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
