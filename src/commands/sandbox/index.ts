import type { Command } from 'commander';
import { lazy } from '../action.js';
import type { Runtime } from '../runtime.js';

export function register(program: Command, rt: Runtime): void {
  program
    .command('sandbox')
    .description('run a WeChat simulator on loopback to try wxplat end to end (runs until Ctrl-C)')
    .option('--port <port>', 'port to listen on (0 = any free port)', '8790')
    .option('--callback <url>', 'origin of the callback receiver (`wxplat serve`), e.g. http://127.0.0.1:8080: pushes go there')
    .option('--ticket-interval <seconds>', 'with --callback: push a component_verify_ticket every N seconds (0 = only at start)', '600')
    .option('--latency <ms>', 'added to every API answer', '0')
    .option('--followers <n>', 'followers of each account the authorization page creates', '100')
    .addHelpText(
      'after',
      `
Uses WXPLAT_COMPONENT_* from the configuration when they are set; otherwise it makes sandbox credentials
and adds them, with WXPLAT_API_BASE, to .env in this folder (existing lines are never changed).
The control API is under <url>/sandbox/ (GET /sandbox/state to begin).`,
    )
    .action(lazy(rt, () => import('./start.js')));
}
