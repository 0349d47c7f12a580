// A request's query parameters, read by scanning the query string for the few a route needs: the
// receiver and the sandbox read three or four per request, and a URLSearchParams for each request cost
// more than the scan (bench/serve).

/** What a route reads of a query: URLSearchParams has this shape too. */
export interface QueryParams {
  /** The first value of `name`, decoded; null when absent. */
  get(name: string): string | null;
}

/**
 * One query parameter, decoded; undefined when absent or not decodable (a request with a broken escape
 * in a parameter it must carry is refused, not guessed at). The first of several wins, as in
 * URLSearchParams; a bare `name` (no `=`) is the empty string. Names are matched as written: an escaped
 * name (`%6Eonce`) is not that parameter.
 */
export function param(query: string, name: string): string | undefined {
  let from = 0;
  while (from <= query.length) {
    const at = query.indexOf(name, from);
    if (at < 0) return undefined;
    const end = at + name.length;
    if (at === 0 || query.charCodeAt(at - 1) === 0x26 /* & */) {
      const next = query.charCodeAt(end);
      if (Number.isNaN(next) || next === 0x26) return '';
      if (next === 0x3d /* = */) {
        const amp = query.indexOf('&', end + 1);
        const raw = amp < 0 ? query.slice(end + 1) : query.slice(end + 1, amp);
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) return raw;
        try {
          return decodeURIComponent(raw.replace(/\+/g, ' '));
        } catch {
          return undefined;
        }
      }
    }
    from = at + 1;
  }
  return undefined;
}

/** The parameters of a query string (without its `?`). */
export function queryParams(query: string): QueryParams {
  return { get: (name) => param(query, name) ?? null };
}
