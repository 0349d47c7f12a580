// The display width of a string in terminal columns: ANSI codes count 0, control and combining
// characters 0, East Asian wide and fullwidth characters (中文) and emoji 2, the rest 1.
//
// The shipped bundle puts this in place of the `string-width` package that cli-table3 uses
// (scripts/bundle.mjs): that one builds its giant emoji expression on every call, which made a 41-row
// table cost ~15 ms of a command. The results agree for what wxplat prints
// (test/output/string-width.test.ts); emoji joined into one glyph (👨‍👩‍👧) are counted per emoji here.

const ANSI = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g;
const EMOJI = /\p{Extended_Pictographic}/u;

/** Wide (W) and fullwidth (F) ranges of Unicode's EastAsianWidth.txt, as terminals draw them. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3040, 0x3247],
  [0x3250, 0x4dbf],
  [0x4e00, 0xa4c6],
  [0xa960, 0xa97c],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6b],
  [0xff01, 0xff60],
  [0xffe0, 0xffe6],
  [0x1b000, 0x1b001],
  [0x1f200, 0x1f251],
  [0x20000, 0x3fffd],
];

export function isWide(code: number): boolean {
  if (code < 0x1100) return false;
  for (const [from, to] of WIDE) {
    if (code < from) return false;
    if (code <= to) return true;
  }
  return false;
}

export default function stringWidth(text: string): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  const plain = text.includes('\u001B') || text.includes('\u009B') ? text.replace(ANSI, '') : text;
  let width = 0;
  for (const char of plain) {
    const code = char.codePointAt(0)!;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) continue;
    if (code >= 0x300 && code <= 0x36f) continue;
    if (code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f)) continue; // joiners, variation selectors
    if (isWide(code)) width += 2;
    else if (code > 0xff && EMOJI.test(char)) width += 2;
    else width += 1;
  }
  return width;
}
