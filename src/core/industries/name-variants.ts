// Spellings of industry names that real get_industry answers, SDKs and newer docs use besides the
// official table (../shared/reference/industry-name-variants.json; wechat-api.md §6). get_industry
// returns names only, so these map them back to codes. A test checks this list against the reference.

export interface IndustryNameVariant {
  code: number;
  field: 'main' | 'sub';
  values: readonly string[];
}

export const INDUSTRY_NAME_VARIANTS: readonly IndustryNameVariant[] = [
  { code: 1, field: 'sub', values: ['互联网/电子商务', '互联网|电子商务'] },
  { code: 8, field: 'sub', values: ['基金|理财|信托', '基金理财信托', '证券基金理财信托', '证券|基金|理财|信托'] },
  { code: 21, field: 'sub', values: ['公共事业|非盈利机构', '公共事业非盈利机构'] },
  { code: 22, field: 'main', values: ['医药护理', '医疗护理'] },
  { code: 23, field: 'main', values: ['医药护理', '医疗护理'] },
  { code: 24, field: 'main', values: ['医药护理', '医疗护理'] },
  { code: 29, field: 'sub', values: ['建筑', '房地产|建筑'] },
  { code: 36, field: 'sub', values: ['审计', '会计|审计'] },
  { code: 41, field: 'main', values: ['其它', '其他'] },
  { code: 41, field: 'sub', values: ['其它', '其他'] },
];
