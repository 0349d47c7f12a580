// WeChat's industry names back to codes. get_industry answers with names only, spelt in several ways
// (互联网|电子商务 for the table's 互联网/电子商务, 医疗护理 for 医药护理, 其他 for 其它, 房地产|建筑 for
// 建筑, …), so names are compared after normalising, against every known spelling of each code.
import { INDUSTRY_CODES } from '../../../seeds/data/industry-codes.js';
import { INDUSTRY_NAME_VARIANTS } from './name-variants.js';

export interface IndustryNames {
  code: number;
  main: string;
  sub: string;
}

/** Width, separators and spaces do not count; 其他 and 其它, 医疗 and 医药 护理 are the same word here. */
export function normaliseIndustryName(name: string): string {
  return name
    .normalize('NFKC')
    // \s | / ｜ ／ 、 , ， (escaped: the bundle stays ASCII, which node reads several times faster)
    .replace(/[\s|/\uFF5C\uFF0F\u3001,\uFF0C]+/g, '')
    .replaceAll('其他', '其它')
    .replaceAll('医疗护理', '医药护理');
}

/** `房地产|建筑` under first class 房地产 is 建筑: drop the first class repeated in front. */
function stripMainPrefix(sub: string, main: string): string {
  const m = main.trim();
  const s = sub.trim();
  for (const sep of ['|', '/', '｜', '／']) {
    if (m && s.startsWith(m + sep) && s.length > m.length + 1) return s.slice(m.length + 1);
  }
  return s;
}

export class IndustryNameIndex {
  private readonly mains = new Map<number, Set<string>>();
  private readonly subs = new Map<number, Set<string>>();
  /** Each code's names as the database spells them (else the published table): the one spelling shown. */
  private readonly names = new Map<number, { main: string; sub: string }>();

  /** Built from the codes in the database (which production may spell its own way) and the published table. */
  constructor(codes: readonly IndustryNames[] = []) {
    for (const c of [...codes, ...INDUSTRY_CODES]) {
      this.add(c.code, c.main, c.sub);
      if (!this.names.has(c.code)) this.names.set(c.code, { main: c.main, sub: c.sub });
    }
    for (const v of INDUSTRY_NAME_VARIANTS) {
      for (const value of v.values) {
        this.set(v.field === 'main' ? this.mains : this.subs, v.code).add(normaliseIndustryName(value));
      }
    }
  }

  private set(map: Map<number, Set<string>>, code: number): Set<string> {
    let s = map.get(code);
    if (!s) map.set(code, (s = new Set()));
    return s;
  }

  private add(code: number, main: string, sub: string): void {
    this.set(this.mains, code).add(normaliseIndustryName(main));
    this.set(this.subs, code).add(normaliseIndustryName(stripMainPrefix(sub, main)));
    this.set(this.subs, code).add(normaliseIndustryName(sub));
  }

  namesOf(code: number): { main: string; sub: string } | undefined {
    return this.names.get(code);
  }

  /**
   * The code for a first/second class pair, or null. Both names must match; failing that, a second class
   * that only one code has is enough (the first class is the one WeChat renames most).
   */
  codeOf(firstClass: string, secondClass: string): number | null {
    const main = normaliseIndustryName(firstClass);
    const sub = normaliseIndustryName(stripMainPrefix(secondClass, firstClass));
    const subMatches = [...this.subs].filter(([, names]) => names.has(sub)).map(([code]) => code);
    const both = subMatches.filter((code) => this.mains.get(code)?.has(main));
    if (both.length === 1) return both[0];
    if (both.length === 0 && subMatches.length === 1) return subMatches[0];
    return null;
  }
}
