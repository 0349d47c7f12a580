// Bundles the CLI into one file, dist/bundle/wxplat.cjs, and makes its V8 code cache.
//
// Why: Node 20 has no compile cache, and loading knex's 330 files took ~150 ms of an `industry list`
// that should cost ~2.5× a bare `node -e 0`. One bundled file whose modules evaluate lazily, loaded
// through a V8 code cache (bin/wxplat.js), starts in a fraction of that. `tsc` still builds dist/
// for type checking, the migrations and the knex CLI; the binary runs the bundle.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist/bundle/wxplat.cjs');

/** `wxplat:migrations` (every file of migrations/, by name) and `wxplat:commands` (every verb module). */
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
      if (args.path === 'wxplat:commands') {
        const dir = path.join(root, 'src/commands');
        const files = readdirSync(dir, { recursive: true })
          .map(String)
          .filter((f) => f.endsWith('.ts') && !f.endsWith('index.ts') && f.includes(path.sep));
        const imports = files.map((f) => `import(${JSON.stringify(`./src/commands/${f.split(path.sep).join('/')}`)})`);
        return {
          contents: `export default async function () { await Promise.all([${imports.join(', ')}, import('knex'), import('./src/db/database.ts'), import('./src/wechat/client.ts')]); }`,
          resolveDir: root,
          loader: 'ts',
        };
      }
      return undefined;
    });
  },
};

rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'scripts/bundle-entry.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Drivers load at run time from node_modules: the native SQLite binding, mysql2, and the ones knex
  // names for other databases, which wxplat never installs.
  external: ['better-sqlite3', 'mysql2', 'pg', 'pg-query-stream', 'sqlite3', 'tedious', 'oracledb', 'mysql', 'mariadb'],
  define: { 'import.meta.url': '__wxplat_module_url' },
  banner: { js: 'var __wxplat_module_url = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [virtualModules],
});

// The code cache: load the bundle, evaluate every command module, and keep what V8 compiled.
execFileSync(process.execPath, [path.join(root, 'bin/wxplat.js')], {
  env: { ...process.env, WXPLAT_WARM_CACHE: '1' },
  stdio: 'inherit',
});
