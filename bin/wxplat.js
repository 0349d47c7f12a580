#!/usr/bin/env node
// The wxplat binary. It runs the bundle that `npm install` (or `npm run build`) makes, compiled
// through a V8 code cache, so that a command starts in little more than node's own start-up time.
// CommonJS on purpose (bin/package.json): node's ESM loader alone costs ~10 ms at start.
'use strict';
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const bundle = path.join(__dirname, '../dist/bundle/wxplat.cjs');
const cacheFile = `${bundle}.cache`;

function load() {
  const source = readFileSync(bundle, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  return { api: mod.exports, script, stale: cachedData === undefined || script.cachedDataRejected };
}

function saveCache(script) {
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // A read-only install runs without a cache: slower to start, nothing else.
  }
}

if (!existsSync(bundle)) {
  process.stderr.write('error: wxplat is not built yet\n  run `npm install` (or `npm run build`) in the wxplat folder\n');
  process.exitCode = 1;
} else {
  const { api, script, stale } = load();
  if (process.env.WXPLAT_WARM_CACHE === '1') {
    api.warmUp().then(() => saveCache(script));
  } else {
    if (stale) process.once('exit', () => saveCache(script));
    api.run();
  }
}
