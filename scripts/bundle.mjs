// Bundles the CLI for shipping, in two files with a V8 code cache each:
//   dist/bundle/cli.cjs — commander and the registration of every command (what `--help` needs);
//   dist/bundle/app.cjs — each command's module and all it uses (knex, the WeChat client, …).
//
// Why: Node 20 has no compile cache, and loading knex's 330 files took ~150 ms of an `industry list`
// meant to cost ~2.5× a bare `node -e 0`. Bundled files whose modules evaluate lazily, loaded through
// code caches made after running the everyday commands (bin/wxplat.js), start in a fraction of that.
// `tsc` still builds dist/ for the migrations folder, the knex CLI, the benchmarks and type checking.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bundle');
const src = path.join(root, 'src');

/** Every command module (not the registrations) by key, plus the context: what the front asks for. */
function appModules() {
  const dir = path.join(src, 'commands');
  const keys = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && path.basename(f) !== 'index.ts' && f.includes(path.sep))
    .map((f) => `commands/${f.split(path.sep).join('/').slice(0, -3)}`);
  return [...keys, 'context'];
}

const virtualModules = {
  name: 'wxplat-virtual',
  setup(b) {
    b.onResolve({ filter: /^wxplat:/ }, (args) => ({ path: args.path, namespace: 'wxplat' }));
    b.onLoad({ filter: /.*/, namespace: 'wxplat' }, (args) => {
      if (args.path === 'wxplat:migrations') {
        const files = readdirSync(path.join(root, 'migrations'))
          .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
          .sort();
        const lines = files.map((f, i) => `import * as m${i} from ${JSON.stringify(`./migrations/${f}`)};`);
        const list = files.map((f, i) => `{ name: ${JSON.stringify(f.slice(0, -3))}, module: m${i} }`);
        return { contents: `${lines.join('\n')}\nexport default [${list.join(', ')}];`, resolveDir: root, loader: 'ts' };
      }
      if (args.path === 'wxplat:modules') {
        const entries = appModules().map((key) => `${JSON.stringify(key)}: () => require(${JSON.stringify(`./src/${key}.ts`)})`);
        return { contents: `export default {\n${entries.join(',\n')}\n};`, resolveDir: root, loader: 'ts' };
      }
      return undefined;
    });
  },
};

/** In the front: a lazy import of a command module or of the context becomes a request to app.cjs. */
const toApp = {
  name: 'wxplat-to-app',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.startsWith(path.join(src, 'commands'))) return undefined;
      const target = path.resolve(path.dirname(args.importer), args.path).replace(/\.js$/, '');
      return { path: `wxplat-app:${path.relative(src, target).split(path.sep).join('/')}`, external: true };
    });
  },
};

/** chalk's colour detection (`#supports-color`, a package-internal import): a constant (the shim says why). */
const noColorDetection = {
  name: 'wxplat-no-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({ path: path.join(root, 'scripts/supports-color-shim.mjs') }));
  },
};

/** knex's `debug`: the real one only when DEBUG is set (scripts/debug-shim.cjs). */
const debugOnDemand = {
  name: 'wxplat-debug-on-demand',
  setup(b) {
    const shim = path.join(root, 'scripts/debug-shim.cjs');
    b.onResolve({ filter: /^debug$/ }, (args) => (args.importer === shim ? undefined : { path: shim }));
  },
};

/** commander's child_process, in the front only: loaded on first use (scripts/lazy-child-process.cjs). */
const lazyChildProcess = {
  name: 'wxplat-lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
        ? { path: path.join(root, 'scripts/lazy-child-process.cjs') }
        : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // import() of what stays outside (app.cjs, drivers) becomes require(): the bundles run in vm scripts,
  // which have no dynamic-import hook.
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__wxplat_module_url' },
  banner: { js: 'var __wxplat_module_url = require("node:url").pathToFileURL(__filename).href;' },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [path.join(root, 'scripts/cli-entry.ts')],
  outfile: path.join(outdir, 'cli.cjs'),
  plugins: [toApp, lazyChildProcess],
});
await build({
  ...common,
  entryPoints: [path.join(root, 'scripts/app-entry.ts')],
  outfile: path.join(outdir, 'app.cjs'),
  // Drivers load at run time from node_modules: mysql2, and the ones knex names for other databases,
  // which wxplat never installs. better-sqlite3's JavaScript is bundled (resolving its files took ~4 ms
  // of each start); its addon is loaded by path (src/db/database.ts), so its finder, `bindings`, never is.
  external: ['bindings', 'mysql2', 'pg', 'pg-query-stream', 'sqlite3', 'tedious', 'oracledb', 'mysql', 'mariadb'],
  alias: {
    // cli-table3's width function rebuilds a huge emoji expression per call; ours agrees and is quick.
    'string-width': path.join(root, 'scripts/string-width-shim.cjs'),
    // Never used, and large: the editor prompt (with iconv-lite), ofetch's fetch for nodes without one.
    '@inquirer/editor': path.join(root, 'scripts/inquirer-editor-shim.mjs'),
    'node-fetch-native': path.join(root, 'scripts/node-fetch-native-shim.mjs'),
    // knex's logger colours, never used with wxplat's log functions; the real one loads node:tty.
    colorette: path.join(root, 'scripts/colorette-shim.cjs'),
  },
  plugins: [virtualModules, noColorDetection, debugOnDemand],
});

// Node decodes a file of ASCII several times faster than one with a single other character (the whole
// source then becomes a two-byte string): ~20 ms of every start for app.cjs. esbuild escapes strings
// but not regular expressions, so a literal character in a regex of ours would end up here.
for (const name of ['cli.cjs', 'app.cjs']) {
  const text = readFileSync(path.join(outdir, name), 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) {
    throw new Error(`${name} is not ASCII at ${at}: …${text.slice(Math.max(0, at - 60), at + 20)}… (escape the character in the source, e.g. \\uFF0C)`);
  }
}

// The code caches: run the everyday commands in one process, then keep what V8 compiled.
execFileSync(process.execPath, [path.join(root, 'bin/wxplat.js')], {
  env: { ...process.env, WXPLAT_WARM_CACHE: '1' },
  stdio: 'inherit',
});
