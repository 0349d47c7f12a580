// The command tree and the global options: what the program registers, what `--help` shows and
// what `wxplat completion` turns into a shell script. Declarations only; no verb module loads here.
import { tree as account } from './account/index.js';
import { tree as completion } from './completion/index.js';
import { tree as db } from './db/index.js';
import { tree as demo } from './demo/index.js';
import { tree as doctor } from './doctor/index.js';
import { tree as events } from './events/index.js';
import { tree as forward } from './forward/index.js';
import { tree as industry } from './industry/index.js';
import { tree as platform } from './platform/index.js';
import { tree as quota } from './quota/index.js';
import { tree as records } from './records/index.js';
import { tree as rid } from './rid/index.js';
import { tree as sandbox } from './sandbox/index.js';
import { tree as serve } from './serve/index.js';
import { tree as template } from './template/index.js';
import { tree as token } from './token/index.js';
import { tree as user } from './user/index.js';
import type { Node } from './define.js';

export const COMMANDS: readonly Node[] = [
  db,
  platform,
  account,
  industry,
  template,
  user,
  serve,
  token,
  events,
  forward,
  records,
  quota,
  rid,
  doctor,
  demo,
  sandbox,
  completion,
];

export interface GlobalFlag {
  readonly flags: string;
  readonly description: string;
}

/** Before or after the subcommand (DESIGN §1). */
export const GLOBAL_FLAGS: readonly GlobalFlag[] = [
  { flags: '--db <url>', description: 'database URL (mysql://user:pass@host:port/db or sqlite:PATH); overrides WXPLAT_DATABASE_URL' },
  { flags: '--json', description: 'print one JSON document (NDJSON for records tail); errors as one JSON line on stderr' },
  { flags: '--no-color', description: 'no colour, even on a terminal' },
  { flags: '-y, --yes', description: 'never prompt; answer confirmations yes, fail where a value is missing' },
  { flags: '--verbose', description: 'more detail on stderr (never secrets)' },
];
