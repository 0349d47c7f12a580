// What a send test needs besides the world: a catalogue template synced onto the account through the
// operator commands, valid keyword values for it, and a recipients file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import type { LibraryTemplate } from '../../src/sandbox/index.js';
import { runCli } from './cli.js';
import type { World } from './world.js';

const SAMPLES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^thing/, '订单已发货'],
  [/^character_string/, 'SN20261128001'],
  [/^number/, '100'],
  [/^amount/, '39.8元'],
  [/^phrase/, '已完成'],
  [/^phone_number/, '0755-86013388'],
  [/^time/, '2026年11月28日 12:00'],
  [/^date/, '2026年11月28日'],
];

export interface SyncedTemplate {
  library: LibraryTemplate;
  code: string;
  /** `--data key=value` arguments for every keyword. */
  dataArgs: string[];
}

export async function syncTemplate(t: Test, world: World, appid: string): Promise<SyncedTemplate> {
  const library = world.sandbox.libraryTemplates().find((l) => l.industryCode === 1)!;
  const content = library.keywords.map((k) => `${k.name}:{{${k.key}.DATA}}`).join('\n');
  const steps = [
    ['template', 'system', 'add', '--code', library.shortId, '--title', library.title, '--industry', '1', '--content', content, '--keywords', library.keywords.map((k) => k.name).join(',')],
    ['industry', 'set', appid, '1', '2', '--yes'],
    ['template', 'sync', appid],
  ];
  for (const argv of steps) {
    const r = await runCli(argv, { env: world.env });
    if (r.code !== 0) t.fail(`wxplat ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
  }
  const dataArgs = library.keywords.flatMap((k) => ['--data', `${k.key}=${SAMPLES.find(([p]) => p.test(k.key))?.[1] ?? '示例'}`]);
  return { library, code: library.shortId, dataArgs };
}

export function recipientsFile(t: Test, openids: readonly string[], extra = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxplat-recipients-'));
  t.teardown(() => undefined);
  const file = path.join(dir, 'recipients.txt');
  writeFileSync(file, `# recipients\n${extra}${openids.join('\n')}\n`);
  return file;
}
