// The 41 template-message industry codes (WeChat's 行业代码 table), seeded into industry_code_querys.
// Data copied from WeChat's published table; see ../shared/reference/industry-codes.json.

export interface IndustryCode {
  code: number;
  main: string;
  sub: string;
}

export const INDUSTRY_CODES: readonly IndustryCode[] = [
  { code: 1, main: 'IT科技', sub: '互联网/电子商务' },
  { code: 2, main: 'IT科技', sub: 'IT软件与服务' },
  { code: 3, main: 'IT科技', sub: 'IT硬件与设备' },
  { code: 4, main: 'IT科技', sub: '电子技术' },
  { code: 5, main: 'IT科技', sub: '通信与运营商' },
  { code: 6, main: 'IT科技', sub: '网络游戏' },
  { code: 7, main: '金融业', sub: '银行' },
  { code: 8, main: '金融业', sub: '基金|理财|信托' },
  { code: 9, main: '金融业', sub: '保险' },
  { code: 10, main: '餐饮', sub: '餐饮' },
  { code: 11, main: '酒店旅游', sub: '酒店' },
  { code: 12, main: '酒店旅游', sub: '旅游' },
  { code: 13, main: '运输与仓储', sub: '快递' },
  { code: 14, main: '运输与仓储', sub: '物流' },
  { code: 15, main: '运输与仓储', sub: '仓储' },
  { code: 16, main: '教育', sub: '培训' },
  { code: 17, main: '教育', sub: '院校' },
  { code: 18, main: '政府与公共事业', sub: '学术科研' },
  { code: 19, main: '政府与公共事业', sub: '交警' },
  { code: 20, main: '政府与公共事业', sub: '博物馆' },
  { code: 21, main: '政府与公共事业', sub: '公共事业|非盈利机构' },
  { code: 22, main: '医药护理', sub: '医药医疗' },
  { code: 23, main: '医药护理', sub: '护理美容' },
  { code: 24, main: '医药护理', sub: '保健与卫生' },
  { code: 25, main: '交通工具', sub: '汽车相关' },
  { code: 26, main: '交通工具', sub: '摩托车相关' },
  { code: 27, main: '交通工具', sub: '火车相关' },
  { code: 28, main: '交通工具', sub: '飞机相关' },
  { code: 29, main: '房地产', sub: '建筑' },
  { code: 30, main: '房地产', sub: '物业' },
  { code: 31, main: '消费品', sub: '消费品' },
  { code: 32, main: '商业服务', sub: '法律' },
  { code: 33, main: '商业服务', sub: '会展' },
  { code: 34, main: '商业服务', sub: '中介服务' },
  { code: 35, main: '商业服务', sub: '认证' },
  { code: 36, main: '商业服务', sub: '审计' },
  { code: 37, main: '文体娱乐', sub: '传媒' },
  { code: 38, main: '文体娱乐', sub: '体育' },
  { code: 39, main: '文体娱乐', sub: '娱乐休闲' },
  { code: 40, main: '印刷', sub: '印刷' },
  { code: 41, main: '其它', sub: '其它' },
];
