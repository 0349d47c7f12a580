// wxplat run from the TypeScript sources (through tsx), for tests that need a real process on a real
// terminal without depending on a fresh build.
import { run } from '../../src/cli.js';

await run();
