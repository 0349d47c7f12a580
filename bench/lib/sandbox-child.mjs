// The WeChat sandbox in a process of its own, so that a benchmark measures wxplat, not the two sharing
// one event loop. Options as JSON in argv[2]; prints {"url": …} when listening; SIGTERM stops it.
import { startSandbox } from '../../dist/src/sandbox/index.js';

const options = JSON.parse(process.argv[2] ?? '{}');
const sandbox = await startSandbox(options);
process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
process.on('SIGTERM', () => {
  sandbox.close().finally(() => process.exit(0));
});
