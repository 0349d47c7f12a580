import { arg, bind, verb } from '../define.js';

export const specs = {
  completion: verb({
    summary: 'print a shell completion script for bash or zsh, made from the command tree',
    args: [arg('<shell>', 'bash or zsh', { choices: ['bash', 'zsh'] })],
    notes: `bash: add \`source <(wxplat completion bash)\` to ~/.bashrc.
zsh: add \`source <(wxplat completion zsh)\` to ~/.zshrc (after compinit), or save the script as _wxplat in a folder of $fpath.`,
    examples: ['source <(wxplat completion bash)', 'wxplat completion zsh > "${fpath[1]}/_wxplat"'],
    learnMore: 'shell-completion',
  }),
};

export const tree = bind('completion', specs.completion, () => import('./script.js'));
