// The top entries of a V8 CPU profile (`node --cpu-prof`): self time by function and by file, as shares
// of the samples. Used with bench/serve.mjs: BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR", then
//   node bench/profile-top.mjs DIR/CPU.*.cpuprofile [N]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.mjs FILE.cpuprofile [N]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
// Idle samples are left out: the shares are of the time the process was busy.
const idle = [...counts].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((n, [, c]) => n + c, 0);
for (const [id] of [...counts]) if (byId.get(id).callFrame.functionName === '(idle)') counts.delete(id);
const total = profile.samples.length - idle;
// Frames in the minified bundles are named by their sources (the bundles carry source maps).
const maps = new Map();
function original(url, line, column) {
  if (!url.endsWith('.cjs')) return null;
  if (!maps.has(url)) {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    maps.set(url, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : null);
  }
  const entry = maps.get(url)?.findEntry(line, column);
  if (!entry?.originalSource) return null;
  return { source: entry.originalSource.replace(/^.*?\/(src|node_modules)\//, '$1/'), line: entry.originalLine + 1, name: entry.name };
}
const fn = new Map();
const files = new Map();
for (const [id, n] of counts) {
  const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
  const o = original(url, lineNumber, columnNumber);
  const short = o ? o.source : url.replace(/^file:\/\/.*\/(node_modules\/)?/, '');
  const key = o ? `${o.name ?? functionName ?? '(anonymous)'}  ${o.source}:${o.line}` : `${functionName || '(anonymous)'}  ${short}:${lineNumber + 1}`;
  fn.set(key, (fn.get(key) ?? 0) + n);
  const f = short || functionName;
  files.set(f, (files.get(f) ?? 0) + n);
}
const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
console.log(`${total} busy samples (${idle} idle left out)`);
console.log('\nself time by function');
for (const [k, n] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
console.log('\nself time by file');
for (const [k, n] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(n)}  ${k}`);
