// The keys a template's content asks for: `{{name.DATA}}`. WeChat's own doc examples print them as
// `{ {name.DATA} }` (a Markdown artefact), so spaces inside the braces are tolerated (wechat-api.md §4.4).
const PLACEHOLDER = /\{\s*\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*DATA\s*\}\s*\}/g;

/** The placeholder names in order of first appearance, each once. */
export function placeholdersOf(content: string): string[] {
  const seen = new Set<string>();
  for (const match of content.matchAll(PLACEHOLDER)) seen.add(match[1]);
  return [...seen];
}

/** Same names, whatever the order. */
export function samePlaceholders(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((name) => set.has(name));
}

/** The content with each placeholder replaced by its value (an empty string when there is none). */
export function fillPlaceholders(content: string, values: Readonly<Record<string, string>>): string {
  return content.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}
