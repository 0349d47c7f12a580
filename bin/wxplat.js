#!/usr/bin/env node
// The wxplat binary: runs the compiled CLI (npm install builds it; `npm run build` rebuilds it).
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli.js', import.meta.url);
if (existsSync(built)) {
  const { run } = await import(built.href);
  await run();
} else {
  process.stderr.write('error: wxplat is not built yet\n  run `npm install` (or `npm run build`) in the wxplat folder\n');
  process.exitCode = 1;
}
