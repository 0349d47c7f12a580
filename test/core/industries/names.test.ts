// get_industry names back to codes: every spelling in the reference variants file, every row of the
// published table, and the names the sandbox answers with.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { INDUSTRY_NAME_VARIANTS } from '../../../src/core/industries/name-variants.js';
import { IndustryNameIndex, normaliseIndustryName } from '../../../src/core/industries/names.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8'));
const codes: Array<{ code: number; main: string; sub: string }> = fixture('industry-codes.json');
const variants: { variants: Array<{ code: number; field: string; values: string[] }> } = fixture('industry-name-variants.json');

const index = new IndustryNameIndex();

t.test('every row of the published table maps to its code', async (t) => {
  t.equal(codes.length, 41);
  for (const c of codes) t.equal(index.codeOf(c.main, c.sub), c.code, `${c.code} ${c.main}/${c.sub}`);
});

t.test('the variants in code cover the reference file', async (t) => {
  for (const v of variants.variants) {
    const fields = v.field === 'main+sub' ? ['main', 'sub'] : [v.field];
    for (const field of fields) {
      const mine = INDUSTRY_NAME_VARIANTS.find((x) => x.code === v.code && x.field === field);
      t.ok(mine, `code ${v.code} ${field} is listed`);
      t.same([...(mine?.values ?? [])].sort(), [...v.values].sort(), `code ${v.code} ${field}: the same spellings`);
    }
  }
});

t.test('every spelling in the reference file maps to its code', async (t) => {
  const table = new Map(codes.map((c) => [c.code, c]));
  for (const v of variants.variants) {
    const row = table.get(v.code)!;
    for (const value of v.values) {
      const main = v.field === 'sub' ? row.main : value;
      const sub = v.field === 'main' ? row.sub : value;
      t.equal(index.codeOf(main, sub), v.code, `${v.code}: ${main} / ${sub}`);
    }
  }
});

t.test("the doc's get_industry example", async (t) => {
  const res = fixture('cgi-bin_template_get_industry.easyswoole.json');
  t.equal(index.codeOf(res.primary_industry.first_class, res.primary_industry.second_class), 13);
  t.equal(index.codeOf(res.secondary_industry.first_class, res.secondary_industry.second_class), 1);
});

t.test('real responses seen in the wild', async (t) => {
  t.equal(index.codeOf('医疗护理', '护理美容'), 23, 'WxJava #2848');
  t.equal(index.codeOf('房地产', '房地产|建筑'), 29, 'WxJava #1413');
  t.equal(index.codeOf('其他', '其他'), 41, 'WxJava PR #2876');
  t.equal(index.codeOf('金融业', '证券|基金|理财|信托'), 8);
  t.equal(index.codeOf('商业服务', '会计|审计'), 36);
  t.equal(index.codeOf(' IT科技 ', ' 互联网 | 电子商务 '), 1, 'spaces');
  t.equal(index.codeOf('ＩＴ科技', '互联网／电子商务'), 1, 'full-width letters and slash');
});

t.test('a second class only one code has is enough', async (t) => {
  t.equal(index.codeOf('IT与科技', '网络游戏'), 6, 'an unknown first class');
});

t.test('unknown names map to nothing', async (t) => {
  t.equal(index.codeOf('火星', '殖民'), null);
  t.equal(index.codeOf('', ''), null);
});

t.test("the database's own spellings count too", async (t) => {
  const custom = new IndustryNameIndex([{ code: 41, main: '其它行业', sub: '其它行业' }]);
  t.equal(custom.codeOf('其它行业', '其它行业'), 41);
  t.equal(custom.codeOf('其他', '其他'), 41, 'and the published ones still work');
});

t.test('normalisation', async (t) => {
  t.equal(normaliseIndustryName('互联网|电子商务'), normaliseIndustryName('互联网/电子商务'));
  t.equal(normaliseIndustryName('其他'), '其它');
  t.equal(normaliseIndustryName('医疗护理'), '医药护理');
});
