// The 41 template-message industries as get_industry names them. These are WeChat's spellings in real
// responses, which differ from the published code table in a few places (industry-name-variants.json):
// `互联网|电子商务` (1), `证券|基金|理财|信托` (8), `医疗护理` (22-24), `房地产|建筑` (29), `其他` (41).
// A client that maps names back to codes has to cope with exactly these.

export interface IndustryName {
  first_class: string;
  second_class: string;
}

const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['IT科技', '互联网|电子商务'],
  ['IT科技', 'IT软件与服务'],
  ['IT科技', 'IT硬件与设备'],
  ['IT科技', '电子技术'],
  ['IT科技', '通信与运营商'],
  ['IT科技', '网络游戏'],
  ['金融业', '银行'],
  ['金融业', '证券|基金|理财|信托'],
  ['金融业', '保险'],
  ['餐饮', '餐饮'],
  ['酒店旅游', '酒店'],
  ['酒店旅游', '旅游'],
  ['运输与仓储', '快递'],
  ['运输与仓储', '物流'],
  ['运输与仓储', '仓储'],
  ['教育', '培训'],
  ['教育', '院校'],
  ['政府与公共事业', '学术科研'],
  ['政府与公共事业', '交警'],
  ['政府与公共事业', '博物馆'],
  ['政府与公共事业', '公共事业|非盈利机构'],
  ['医疗护理', '医药医疗'],
  ['医疗护理', '护理美容'],
  ['医疗护理', '保健与卫生'],
  ['交通工具', '汽车相关'],
  ['交通工具', '摩托车相关'],
  ['交通工具', '火车相关'],
  ['交通工具', '飞机相关'],
  ['房地产', '房地产|建筑'],
  ['房地产', '物业'],
  ['消费品', '消费品'],
  ['商业服务', '法律'],
  ['商业服务', '会展'],
  ['商业服务', '中介服务'],
  ['商业服务', '认证'],
  ['商业服务', '审计'],
  ['文体娱乐', '传媒'],
  ['文体娱乐', '体育'],
  ['文体娱乐', '娱乐休闲'],
  ['印刷', '印刷'],
  ['其他', '其他'],
];

export const INDUSTRY_COUNT = TABLE.length;

export function industryName(code: number): IndustryName {
  const row = TABLE[code - 1];
  if (!row) throw new RangeError(`no industry ${code}`);
  return { first_class: row[0], second_class: row[1] };
}

/** `"7"`, `7` → 7; anything else (0, 42, "1a", 1.5, null) → undefined. */
export function parseIndustryCode(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,2}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= INDUSTRY_COUNT ? n : undefined;
}
