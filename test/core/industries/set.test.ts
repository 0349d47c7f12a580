import t from 'tap';
import { beijingMonth, parseIndustryCode } from '../../../src/core/industries/set.js';
import { UsageError } from '../../../src/errors.js';

t.test("WeChat's month is Beijing's", async (t) => {
  t.equal(beijingMonth(new Date('2026-11-30T15:59:59Z')), '2026-11');
  t.equal(beijingMonth(new Date('2026-11-30T16:00:00Z')), '2026-12', 'midnight in Beijing is 16:00 UTC');
  t.equal(beijingMonth(new Date('2026-12-31T16:00:00Z')), '2027-01');
});

t.test('industry codes on the command line', async (t) => {
  t.equal(parseIndustryCode(' 7 ', '<primary-code>'), 7);
  for (const bad of ['', 'x', '1.5', '-1', '12345']) t.throws(() => parseIndustryCode(bad, '<primary-code>'), UsageError, bad);
});
