import { readFileSync } from 'node:fs';
import t from 'tap';
import { placeholdersOf, samePlaceholders } from '../../../src/core/templates/placeholders.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));

t.test('the real shape {{name.DATA}}', async (t) => {
  t.same(placeholdersOf('订单编号:{{character_string1.DATA}}\n支付金额:{{amount2.DATA}}\n支付时间:{{time3.DATA}}'), [
    'character_string1',
    'amount2',
    'time3',
  ]);
  t.same(placeholdersOf('{{first.DATA}}\n{{keyword1.DATA}}\n{{remark.DATA}}'), ['first', 'keyword1', 'remark']);
});

t.test("WeChat's doc spacing { {name.DATA} } (get_all_private_template fixture)", async (t) => {
  const content: string = fixture('cgi-bin_template_get_all_private_template.easyswoole.json').template_list[0].content;
  t.same(placeholdersOf(content), ['result', 'withdrawMoney', 'withdrawTime', 'cardInfo', 'arrivedTime', 'remark']);
  t.same(placeholdersOf('{ { spaced . DATA } }'), ['spaced']);
});

t.test('each name once, in order of first appearance', async (t) => {
  t.same(placeholdersOf('{{b.DATA}} {{a.DATA}} {{b.DATA}}'), ['b', 'a']);
});

t.test('what is not a placeholder', async (t) => {
  t.same(placeholdersOf(''), []);
  t.same(placeholdersOf('no placeholders here'), []);
  t.same(placeholdersOf('{{name}} {{name.data}} {name.DATA} {{1abc.DATA}} {{a-b.DATA}}'), [], 'case, single braces, bad names');
  t.same(placeholdersOf('{{ok.DATA}} {{x.DATA'), ['ok'], 'an unclosed one is not counted');
});

t.test('samePlaceholders ignores order, not names', async (t) => {
  t.ok(samePlaceholders(['a', 'b'], ['b', 'a']));
  t.notOk(samePlaceholders(['a', 'b'], ['a']));
  t.notOk(samePlaceholders(['a', 'b'], ['a', 'c']));
  t.ok(samePlaceholders([], []));
});
