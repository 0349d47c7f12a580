// Startup cost, measured against `node -e 0` in the same run (machines are noisy; only ratios count).
// Goal: `wxplat --help` ≤ 1.4× and `wxplat industry list` on SQLite ≤ 2.5× the bare node start, each with
// its output piped, as under cron or in a script.
// It measures the Node that runs it (each case is spawned with process.execPath): `.ci/run` runs it on
// every Node it tests, after putting in place the better-sqlite3 build for that Node.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/wxplat.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 25);
const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-bench-startup-'));
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

execFileSync(process.execPath, [bin, 'db', 'migrate'], { cwd: dir, env });
execFileSync(process.execPath, [bin, 'db', 'seed'], { cwd: dir, env });

const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'wxplat --help': [process.execPath, [bin, '--help']],
  'wxplat industry list': [process.execPath, [bin, 'industry', 'list']],
};

function once([cmd, args]) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) once(c); // warm the file cache
for (let i = 0; i < runs; i++) {
  // Interleaved, so that a noisy moment hurts every case alike.
  for (const [name, c] of Object.entries(cases)) times[name].push(once(c));
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(times['node -e 0']);
const help = median(times['wxplat --help']);
const list = median(times['wxplat industry list']);
rmSync(dir, { recursive: true, force: true });

const row = (name, ms, goal) =>
  `${name.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}×${goal ? `  (goal ≤ ${goal}×: ${ms / base <= goal ? 'met' : 'NOT met'})` : ''}`;
console.log(`startup on Node ${process.version} (V8 ${process.versions.v8}), median of ${runs} runs each`);
console.log(row('node -e 0', base));
console.log(row('wxplat --help', help, 1.4));
console.log(row('wxplat industry list', list, 2.5));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ node: process.version, runs, nodeMs: base, helpMs: help, industryListMs: list, helpRatio: help / base, industryListRatio: list / base }));
}
