#!/usr/bin/env node
// The wxplat binary. It runs the two bundles `npm install` (or `npm run build`) makes — cli.cjs, the
// commands' registration, and app.cjs, everything a command does, loaded on first use — each compiled
// through a V8 code cache, so that a command starts in little more than node's own start-up time.
// CommonJS on purpose (bin/package.json): node's ESM loader alone costs ~10 ms at start.
'use strict';
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const dir = path.join(__dirname, '../dist/bundle');
const loaded = [];
// One cache per Node build: V8 refuses another version's cache, and a shared file would be rewritten by
// each version in turn (CI runs the suite on several Nodes from one install).
const cacheSuffix = `.${process.version}-${process.arch}.cache`;

/** Loads one bundle through its code cache; `requireFn` is what the bundle's `require` does. */
function loadBundle(name, requireFn) {
  const file = path.join(dir, name);
  const source = readFileSync(file, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(`${file}${cacheSuffix}`);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, requireFn, mod, file, dir);
  loaded.push({ file, script, stale: cachedData === undefined || script.cachedDataRejected });
  return mod.exports;
}

function saveCaches(all) {
  for (const { file, script, stale } of loaded) {
    if (!all && !stale) continue;
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}${cacheSuffix}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, `${file}${cacheSuffix}`);
    } catch {
      // A read-only install runs without a cache: slower to start, nothing else.
    }
  }
}

if (!existsSync(path.join(dir, 'cli.cjs'))) {
  process.stderr.write('error: wxplat is not built yet\n  run `npm install` (or `npm run build`) in the wxplat folder\n');
  process.exitCode = 1;
} else {
  const nodeRequire = createRequire(path.join(dir, 'app.cjs'));
  let app;
  const loadApp = () => (app ??= loadBundle('app.cjs', nodeRequire));
  const cli = loadBundle('cli.cjs', (id) => (id.startsWith('wxplat-app:') ? loadApp().load(id.slice('wxplat-app:'.length)) : nodeRequire(id)));
  if (process.env.WXPLAT_WARM_CACHE === '1') {
    cli.warmUp(() => loadApp().loadEverything()).then(() => saveCaches(true));
  } else {
    process.once('exit', () => saveCaches(false));
    cli.run();
  }
}
