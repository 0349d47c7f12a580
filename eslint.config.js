// Lint for wxplat: typescript-eslint's type-aware rules, and DESIGN §6's import direction as a rule of our own.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));

// Which layers each layer may not import (DESIGN §6). A name ending in '/' is a folder of src/;
// anything else is a package name.
const forbidden = {
  'src/commands/': ['src/db/', 'src/wechat/'],
  'src/wechat/': ['src/db/', 'src/core/', 'knex'],
  'src/sandbox/': ['src/core/', 'src/db/'],
  'src/core/': ['src/output/'],
};

/** Resolves an import against the importing file and reports one that runs against the direction. */
const layers = {
  meta: {
    type: 'problem',
    messages: { crossing: '{{from}} may not import {{to}} (DESIGN §6: imports run one way)' },
    schema: [],
  },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const from = Object.keys(forbidden).find((layer) => file.startsWith(layer));
    if (from === undefined) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      let target;
      if (source.startsWith('.')) {
        target = path.relative(root, path.resolve(path.dirname(context.filename), source)).split(path.sep).join('/') + '/';
      } else {
        target = source;
      }
      for (const to of forbidden[from]) {
        const hit = to.endsWith('/') ? target.startsWith(to) : target === to || target.startsWith(`${to}/`);
        if (hit) context.report({ node, messageId: 'crossing', data: { from: from.slice(0, -1), to: to.replace(/\/$/, '') } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'test/fixtures/**'] },
  js.configs.recommended,
  {
    rules: {
      // Terminal and protocol text is made of control characters: escape sequences, NUL padding, ASCII ranges.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: root },
    },
    rules: {
      // Unused names are tsc's job (noUnusedLocals/noUnusedParameters); one place to say so.
      '@typescript-eslint/no-unused-vars': 'off',
      // Two deliberate non-Error throwables, each caught a few lines away: the sandbox's WeChat answer
      // (thrown per request, so no stack is captured) and the token listener's HTTP refusal.
      '@typescript-eslint/only-throw-error': ['error', { allow: [
        { from: 'file', name: 'ApiError', path: 'src/sandbox/errors.ts' },
        { from: 'file', name: 'Refusal', path: 'src/core/tokens/listener.ts' },
      ] }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allow: [
        { from: 'file', name: 'Refusal', path: 'src/core/tokens/listener.ts' },
      ] }],
      // Async interfaces (handlers, stores, fakes) have implementations that answer at once; they stay
      // `async` so that a throw becomes a rejection, as callers expect.
      '@typescript-eslint/require-await': 'off',
      // A variable that closures read before its one assignment (a server and the handlers that use it) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Issue 17's typed options (another branch) replace Input<any, any> and the `{}` option types of commands that
    // take no options; until then these are the untyped edge between commander and the commands.
    files: ['src/commands/**/*.ts'],
    rules: {
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Bundle entries: esbuild's virtual modules (wxplat:*) have no types, and require() is what its CommonJS output runs.
    files: ['scripts/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/db/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      // knex's untyped builders (`knex(table)` with no row type, `raw`, `client`) give `any`: the repositories are the
      // edge where rows get their types, so reading those values here is the point of the layer.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // knex's nested where((q) => …) callbacks return the builder, which is thenable: not a promise to await.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests stringify on purpose: a Secret's masking in a template, URLSearchParams as a query string.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // tap tracks the promise of every t.test() itself: awaiting each one would serialise the file's subtests.
      '@typescript-eslint/no-floating-promises': 'off',
      // Tests read what the CLI printed (JSON.parse → any) and poke at rows: asserting on the value is the check.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        performance: 'readonly', AbortController: 'readonly', fetch: 'readonly', TextEncoder: 'readonly',
        TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', URLSearchParams: 'readonly',
      },
    },
  },
  {
    files: ['**/*.cjs', 'bin/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', exports: 'writable' } },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { wxplat: { rules: { layers } } },
    rules: { 'wxplat/layers': 'error' },
  },
);
