// Human renderings shared by the forward commands.
import type { ForwardRule } from '../../core/forwarding/rules.js';

export { describeFilter as ruleFilter } from '../../core/forwarding/rules.js';

export function ruleLabel(r: Pick<ForwardRule, 'id' | 'name'>): string {
  return r.name ? `${r.id} (${r.name})` : String(r.id);
}
