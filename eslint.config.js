// @ts-check
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'bench/results/', 'custom-elements.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring a field away, an unused parameter)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['widget/**/*.ts', 'demo/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['widget/src/**/*.ts'], ...lit.configs['flat/recommended'] },
  {
    // Tests read JSON answers, which are `any` by nature; asserting on them is the point.
    files: ['**/test/**', '**/test-node/**', 'e2e/**', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // fakes implement async interfaces with bodies that need no await
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // @open-wc/testing's chai assertions are typed as thenables; `expect(x).to.equal(y)` is synchronous.
    files: ['widget/test/**'],
    // `expect(x).to.be.true` is an assertion written as a property read.
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
