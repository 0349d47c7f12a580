// Formats every layer checks the same way (config, core and the sandbox alike): one definition each,
// so that what the configuration accepts, a command accepts and the sandbox accepts cannot drift apart.

/** An appid (official account, mini program or component): "wx" and 16 letters or digits. */
export const APPID_SOURCE = 'wx[0-9A-Za-z]{16}';
const APPID = new RegExp(`^${APPID_SOURCE}$`);

export function isAppid(value: string): boolean {
  return APPID.test(value);
}

/** The URL when `value` is an absolute http: or https: URL; null otherwise (the caller says why in its own words). */
export function httpUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}

/** Whether `value` parses as a URL at all (to tell "not a URL" from "not http(s)" in an error). */
export function isUrl(value: string): boolean {
  return URL.canParse(value);
}
