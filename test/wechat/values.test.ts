// WeChat's rules for the values of typed keywords (category templates), one type at a time: values the
// published rule allows, and values it refuses with the problem named. The same rules run in
// `template send` and in the sandbox.
import t from 'tap';
import { checkKeywordValue, KEYWORD_RULES, KEYWORD_TYPES, keywordTypeOf, keywordValueOk, keywordValueProblem, type KeywordType } from '../../src/wechat/values.js';

t.test('the type of a placeholder comes from its name', async (t) => {
  t.equal(keywordTypeOf('thing1'), 'thing');
  t.equal(keywordTypeOf('thing'), 'thing', 'the number is optional (thing.DATA in some templates)');
  t.equal(keywordTypeOf('amount13'), 'amount');
  t.equal(keywordTypeOf('character_string21'), 'character_string');
  t.equal(keywordTypeOf('phone_number3'), 'phone_number', 'not number');
  t.equal(keywordTypeOf('car_number2'), 'car_number');
  t.equal(keywordTypeOf('number01'), 'number');
  for (const untyped of ['keyword1', 'first', 'remark', 'result', 'withdrawMoney', 'const3', 'thing1a', 'Thing1']) {
    t.equal(keywordTypeOf(untyped), null, `${untyped} is untyped`);
  }
  for (const type of KEYWORD_TYPES) {
    t.equal(keywordValueProblem(type, KEYWORD_RULES[type].example), null, `${type}'s own example passes: ${KEYWORD_RULES[type].example}`);
  }
});

const cases: Record<KeywordType, { ok: string[]; bad: Array<[string, RegExp]> }> = {
  thing: {
    ok: ['订单已发货', 'A'.repeat(20), '京东物流 No.7 (北京)', '二'.repeat(20)],
    bad: [
      ['二'.repeat(21), /is 21 characters/],
      ['', /is empty/],
      ['第一行\n第二行', /line break/],
    ],
  },
  number: {
    ok: ['0', '100', '3.1415', '9'.repeat(32)],
    bad: [
      ['9'.repeat(33), /has 33 digits/],
      ['1,000', /is not a number/],
      ['-5', /is not a number/],
      ['五', /is not a number/],
    ],
  },
  letter: { ok: ['abc', 'Z'.repeat(32)], bad: [['abc1', /other than letters/], ['a'.repeat(33), /is 33 letters/]] },
  symbol: { ok: ['#', '*-+/!'], bad: [['#1', /other than symbols/], ['!!!!!!', /is 6 symbols/]] },
  character_string: {
    ok: ['SN20261128001', 'a-b_c.d/e:f#1', 'x'.repeat(32)],
    bad: [
      ['测试单号', /Chinese/],
      ['x'.repeat(33), /is 33 characters/],
      ['SN 1001', /has a space/],
    ],
  },
  time: {
    ok: ['15:01', '15:01:59', '2019年10月1日 15:01', '2026-11-28 12:00:00', '2026/11/28 08:30', '2026年11月28日12:00', '15:00~16:30', '2026-11-28 09:00~2026-11-28 18:00'],
    bad: [
      ['2026年11月28日', /not a 24-hour time/],
      ['25:00', /not a 24-hour time/],
      ['下午三点', /not a 24-hour time/],
      ['1:00~2:00~3:00', /more than one ~/],
    ],
  },
  date: {
    ok: ['2019年10月1日', '2019年10月', '10月1日', '2018-01-01', '2018/01/01', '2018.01.01', '2018-01', '01-01', '2019年10月1日 15:01', '2026-11-01~2026-11-30'],
    bad: [
      ['2018-13-01', /not a date/],
      ['明天', /not a date/],
      ['15:01', /not a date/],
    ],
  },
  amount: {
    ok: ['39.8元', '¥39.80', '￥100', '$5', '1234567890', '12345678.90', '0.5元'],
    bad: [
      ['lots', /is not an amount/],
      ['12345678901', /has 11 digits/],
      ['¥$5', /more than one currency symbol/],
      ['39.8 元', /is not an amount/],
    ],
  },
  phone_number: {
    ok: ['+86-0766-66888866', '0755-86013388', '(010)12345678', '13800138000'],
    bad: [
      ['400-800-8888 转 1', /other than digits and symbols/],
      ['+86-0766-668888661', /is 18 characters/],
      ['---', /has no digits/],
    ],
  },
  car_number: {
    ok: ['粤A8Z888挂', '京A12345', 'WJ12345'],
    bad: [
      ['粤A8Z888挂X', /is 9 characters/],
      ['粤A京888', /position 3/],
    ],
  },
  name: {
    ok: ['张三', '阿卜杜勒·买买提', 'John Smith', 'A'.repeat(20), '张三Li'],
    bad: [
      ['张'.repeat(11), /is 11 characters with Chinese/],
      ['A'.repeat(21), /is 21 characters/],
      ['R2D2', /has digits/],
    ],
  },
  phrase: {
    ok: ['配送中', '已完成', '五个汉字呀'],
    bad: [
      ['大娟姗720ml', /other than Chinese/],
      ['六个汉字呀呀', /is 6 characters/],
      ['ok', /other than Chinese/],
    ],
  },
};

for (const type of KEYWORD_TYPES) {
  t.test(`${type}: ${KEYWORD_RULES[type].rule}`, async (t) => {
    for (const value of cases[type].ok) t.equal(keywordValueProblem(type, value), null, `accepts ${JSON.stringify(value)}`);
    for (const [value, problem] of cases[type].bad) {
      t.match(keywordValueProblem(type, value), problem, `refuses ${JSON.stringify(value)}`);
    }
  });
}

t.test('a check names the key, its type, the problem and the rule; untyped keys are not WeChat-checked', async (t) => {
  t.same(checkKeywordValue('thing2', '二'.repeat(21)), {
    key: 'thing2',
    type: 'thing',
    value: '二'.repeat(21),
    ok: false,
    problem: 'is 21 characters',
    rule: KEYWORD_RULES.thing.rule,
  });
  t.same(checkKeywordValue('keyword1', '二'.repeat(40)), { key: 'keyword1', type: null, value: '二'.repeat(40), ok: true, problem: null, rule: null });
  t.equal(keywordValueOk('amount2', '39.8元'), true);
  t.equal(keywordValueOk('amount2', 'lots'), false);
  t.equal(keywordValueOk('remark', 'anything at all, 多长都可以'), true);
});
