// A QR code of a URL drawn with text, for a terminal (qrcode-terminal ships no types).
import { createRequire } from 'node:module';

type QrTerminal = { generate(text: string, options: { small: boolean }, done: (qr: string) => void): void };

export function qrCode(text: string): string {
  const qr = createRequire(import.meta.url)('qrcode-terminal') as QrTerminal;
  let out = '';
  qr.generate(text, { small: true }, (drawn) => {
    out = drawn;
  });
  return out;
}
