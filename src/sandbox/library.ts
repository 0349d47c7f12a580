// The public template library accounts add templates from. Category templates (类目模板) have numeric
// short ids and typed keywords (`thing1`, `time2` …); the historical TM…/OPENTM… ids can no longer be
// added at all (40247). Each library template belongs to one industry: an account can add it only
// when that industry is one of its two.
import { SandboxError } from './errors.js';
import { INDUSTRY_COUNT } from './industries.js';

export interface LibraryKeyword {
  /** What the account admin sees and what `keyword_name_list` names, e.g. 订单编号. */
  name: string;
  /** The placeholder in the content, e.g. `character_string1` → `{{character_string1.DATA}}`. */
  key: string;
}

export interface LibraryTemplate {
  shortId: string;
  industryCode: number;
  title: string;
  keywords: LibraryKeyword[];
}

const kw = (name: string, key: string): LibraryKeyword => ({ name, key });

const DEFAULTS: LibraryTemplate[] = [
  {
    shortId: '43216',
    industryCode: 1,
    title: '订单发货通知',
    keywords: [kw('订单编号', 'character_string1'), kw('商品名称', 'thing2'), kw('快递公司', 'thing3'), kw('快递单号', 'character_string4'), kw('发货时间', 'time5')],
  },
  {
    shortId: '43568',
    industryCode: 1,
    title: '订单支付成功通知',
    keywords: [kw('订单编号', 'character_string1'), kw('支付金额', 'amount2'), kw('支付时间', 'time3')],
  },
  {
    shortId: '47123',
    industryCode: 1,
    title: '消费提醒',
    keywords: [kw('时间', 'time1'), kw('地点', 'thing2'), kw('金额', 'amount3')],
  },
  {
    shortId: '44102',
    industryCode: 2,
    title: '账号登录提醒',
    keywords: [kw('登录账号', 'character_string1'), kw('登录时间', 'time2'), kw('登录地点', 'thing3')],
  },
  {
    shortId: '44176',
    industryCode: 2,
    title: '服务到期提醒',
    keywords: [kw('服务名称', 'thing1'), kw('到期时间', 'time2'), kw('备注', 'thing3')],
  },
  {
    shortId: '47862',
    industryCode: 7,
    title: '交易提醒',
    keywords: [kw('商户名称', 'thing1'), kw('交易时间', 'time2'), kw('交易类型', 'phrase3'), kw('交易金额', 'amount4')],
  },
  {
    shortId: '45890',
    industryCode: 10,
    title: '取餐提醒',
    keywords: [kw('取餐号', 'character_string1'), kw('门店名称', 'thing2'), kw('下单时间', 'time3')],
  },
  {
    shortId: '45311',
    industryCode: 13,
    title: '快件派送通知',
    keywords: [kw('快递单号', 'character_string1'), kw('派送员', 'thing2'), kw('联系电话', 'phone_number3'), kw('预计送达', 'time4')],
  },
  {
    shortId: '46007',
    industryCode: 16,
    title: '课程开课提醒',
    keywords: [kw('课程名称', 'thing1'), kw('上课时间', 'time2'), kw('上课地点', 'thing3')],
  },
  {
    shortId: '47555',
    industryCode: 31,
    title: '会员积分变动提醒',
    keywords: [kw('变动积分', 'number1'), kw('当前积分', 'number2'), kw('变动原因', 'thing3')],
  },
  {
    shortId: '48013',
    industryCode: 41,
    title: '通知提醒',
    keywords: [kw('通知内容', 'thing1'), kw('通知时间', 'time2')],
  },
];

/** TM00015, OPENTM207498902: the historical library, closed for adding. */
export function isHistoricalId(shortId: string): boolean {
  return /^(OPEN)?TM\d+$/i.test(shortId);
}

export class TemplateLibrary {
  readonly #templates = new Map<string, LibraryTemplate>();

  constructor() {
    for (const t of DEFAULTS) this.#templates.set(t.shortId, t);
  }

  get(shortId: string): LibraryTemplate | undefined {
    return this.#templates.get(shortId);
  }

  list(): LibraryTemplate[] {
    return [...this.#templates.values()];
  }

  add(template: LibraryTemplate): LibraryTemplate {
    const shortId = String(template.shortId ?? '');
    if (!/^\d{1,10}$/.test(shortId)) throw new SandboxError('shortId must be digits: category templates have numeric ids');
    if (!Number.isInteger(template.industryCode) || template.industryCode < 1 || template.industryCode > INDUSTRY_COUNT) {
      throw new SandboxError(`industryCode must be 1 to ${INDUSTRY_COUNT}`);
    }
    if (typeof template.title !== 'string' || template.title === '') throw new SandboxError('title is required');
    const keywords = Array.isArray(template.keywords) ? template.keywords : [];
    if (keywords.length === 0 || keywords.length > 10) throw new SandboxError('a template has 1 to 10 keywords');
    const keys = new Set<string>();
    for (const k of keywords) {
      if (typeof k?.name !== 'string' || k.name === '' || typeof k.key !== 'string' || !/^[a-z_]+\d+$/.test(k.key)) {
        throw new SandboxError('each keyword needs a name and a key like thing1 or time2');
      }
      if (keys.has(k.key)) throw new SandboxError(`keyword key ${k.key} is used twice`);
      keys.add(k.key);
    }
    const copy: LibraryTemplate = {
      shortId,
      industryCode: template.industryCode,
      title: template.title,
      keywords: keywords.map((k) => ({ name: k.name, key: k.key })),
    };
    this.#templates.set(shortId, copy);
    return copy;
  }
}

const SAMPLES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^thing/, '示例内容'],
  [/^character_string/, 'SN20240101001'],
  [/^number/, '100'],
  [/^amount/, '39.8元'],
  [/^phrase/, '已完成'],
  [/^phone_number/, '0755-86013388'],
  [/^time/, '2024年1月1日 12:00'],
  [/^date/, '2024年1月1日'],
];

/** The `content` of an added template: one `name:{{key.DATA}}` line per chosen keyword. */
export function templateContent(keywords: readonly LibraryKeyword[]): string {
  return keywords.map((k) => `${k.name}:{{${k.key}.DATA}}`).join('\n');
}

export function templateExample(keywords: readonly LibraryKeyword[]): string {
  return keywords.map((k) => `${k.name}:${SAMPLES.find(([p]) => p.test(k.key))?.[1] ?? '示例'}`).join('\n');
}
