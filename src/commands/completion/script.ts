// `wxplat completion bash|zsh`: a script made from the command tree, so that it names every command,
// flag and choice the binary has. Both shells share the tables; each has its own driver.
import type { CommandContext } from '../../context.js';
import { flagsOf, type InputOf, type Node } from '../define.js';
import { COMMANDS, GLOBAL_FLAGS } from '../tree.js';
import type { specs } from './index.js';

interface Entry {
  /** Subcommands: where completion walks on. */
  commands: string[];
  /** Words offered: subcommands, or the choices of the command's first argument. */
  words: string[];
  flags: string[];
}

function longFlags(flags: string): string[] {
  return flags.split(/[ ,]+/).filter((f) => f.startsWith('-'));
}

function table(nodes: readonly Node[], path: string, into: Map<string, Entry>): void {
  const entry: Entry = { commands: nodes.map((n) => n.name), words: nodes.map((n) => n.name), flags: ['--help'] };
  into.set(path, entry);
  for (const node of nodes) {
    const at = path ? `${path} ${node.name}` : node.name;
    if (node.kind === 'group') {
      table(node.children, at, into);
      continue;
    }
    const flags = Object.entries(node.spec.options)
      .filter(([, o]) => !o.hidden)
      .flatMap(([key, o]) => longFlags(flagsOf(key, o)));
    into.set(at, { commands: [], words: [...(node.spec.args[0]?.choices ?? [])], flags: [...flags, '--help'] });
  }
}

function valueFlags(nodes: readonly Node[]): Set<string> {
  const out = new Set(GLOBAL_FLAGS.filter((g) => g.flags.includes('<')).flatMap((g) => longFlags(g.flags)));
  const walk = (list: readonly Node[]) => {
    for (const node of list) {
      if (node.kind === 'group') walk(node.children);
      else for (const [key, o] of Object.entries(node.spec.options)) if (o.value?.startsWith('<')) longFlags(flagsOf(key, o)).forEach((f) => out.add(f));
    }
  };
  walk(nodes);
  return out;
}

const quote = (words: string[]) => `'${words.join(' ').replace(/'/g, "'\\''")}'`;

function caseOf(fn: string, entries: Map<string, Entry>, pick: (e: Entry) => string[]): string {
  const arms = [...entries].map(([path, e]) => `    ${quote([path])}) echo ${quote(pick(e))} ;;`);
  return `${fn}() {\n  case "$1" in\n${arms.join('\n')}\n  esac\n}`;
}

/** The tables both shells read, as shell functions (bash and zsh share the syntax used here). */
export function tables(): string {
  const entries = new Map<string, Entry>();
  table(COMMANDS, '', entries);
  const globals = GLOBAL_FLAGS.flatMap((g) => longFlags(g.flags));
  const values = [...valueFlags(COMMANDS)].sort();
  return [
    caseOf('_wxplat_commands', entries, (e) => e.commands),
    caseOf('_wxplat_words', entries, (e) => e.words),
    caseOf('_wxplat_flags', entries, (e) => [...e.flags, ...globals, ...(entries.get('')?.flags === e.flags ? ['--version'] : [])]),
    `_wxplat_takes_value() {\n  case "$1" in\n    ${values.join('|')}) return 0 ;;\n  esac\n  return 1\n}`,
    // Walks the words before the cursor: flags and their values are stepped over, subcommands followed.
    `_wxplat_path() {
  local word at="" skip=0
  for word in "$@"; do
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*) ;;
      -*) _wxplat_takes_value "$word" && skip=1 ;;
      *) if [[ " $(_wxplat_commands "$at") " == *" $word "* ]]; then at="\${at:+$at }$word"; fi ;;
    esac
  done
  _wxplat_skip=$skip
  _wxplat_at=$at
}`,
  ].join('\n\n');
}

export function bashScript(): string {
  return `# wxplat completion for bash, made by \`wxplat completion bash\` from the command tree.
# Load it with: source <(wxplat completion bash)

${tables()}

_wxplat() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  _wxplat_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}"
  if ((_wxplat_skip)); then
    # The value of a flag: a file name is the best guess.
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_wxplat_flags "$_wxplat_at")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_wxplat_words "$_wxplat_at")" -- "$cur"))
  fi
}
complete -F _wxplat wxplat
`;
}

export function zshScript(): string {
  return `#compdef wxplat
# wxplat completion for zsh, made by \`wxplat completion zsh\` from the command tree.
# Load it with: source <(wxplat completion zsh)   (after compinit), or save it as _wxplat in $fpath.

${tables()}

_wxplat() {
  local cur="\${words[CURRENT]}"
  _wxplat_path "\${(@)words[2,CURRENT-1]}"
  if ((_wxplat_skip)); then
    _files
  elif [[ "$cur" == -* ]]; then
    compadd -- \${=$(_wxplat_flags "$_wxplat_at")}
  else
    compadd -- \${=$(_wxplat_words "$_wxplat_at")}
  fi
}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _wxplat "$@"
else
  compdef _wxplat wxplat
fi
`;
}

export async function run(ctx: CommandContext, { args: [shell] }: InputOf<typeof specs.completion>): Promise<void> {
  ctx.io.stdout.write(shell === 'zsh' ? zshScript() : bashScript());
}
