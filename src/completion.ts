// `warroom completion bash|zsh|fish`: shell completion for commands, flags and their values
// (scenarios, themes, and kube contexts and namespaces asked of kubectl, as kubectl's own does).
// The scripts are generated from the CLI's own tables, so a new flag completes without edits here.
import { COMMANDS, COMMON, UsageError } from './args.js';
import { SCENARIOS } from './sim/scenarios/index.js';
import { listThemes } from './ui/theme.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const COMMAND_HELP: Record<string, string> = {
  drill: 'the cockpit on the built-in simulated environment',
  sim: 'only the simulated backends',
  snapshot: 'collect once from every source, print a report',
  postmortem: 'write the post-mortem draft of an incident',
  init: 'find Prometheus and Alertmanager, write a starter warroom.yaml',
  completion: 'print a shell completion script',
};

const FLAG_HELP: Record<string, string> = {
  config: 'config file',
  kubeconfig: 'kubeconfig file',
  context: 'kube context',
  namespace: 'namespace (repeatable)',
  'all-namespaces': 'every namespace',
  selector: 'label selector',
  'request-timeout': 'Kubernetes API request timeout (30s, 1m)',
  'read-only': 'spectator mode',
  theme: 'colour theme',
  refresh: 'polling interval in seconds',
  'max-fps': 'redraws a second at most',
  'low-bandwidth': 'fewer redraws, for thin SSH links',
  help: 'help',
  version: 'print the version',
  'print-config': 'show the effective config',
  scenario: 'drill scenario',
  list: 'describe the scenarios',
  speed: 'time compression',
  seed: 'random seed',
  port: 'Kubernetes API port',
  'write-config': 'folder for kubeconfig and warroom.yaml',
  json: 'JSON output',
  deadline: 'seconds to wait for the sources',
  out: 'output file',
  force: 'overwrite an existing file',
};

type Spec = { type: 'string' | 'boolean'; short?: string };

interface Model {
  commands: string[];
  /** Flags that take a value (so the next word is not the command). */
  valued: string[];
  common: Array<[string, Spec]>;
  byCommand: Record<string, Array<[string, Spec]>>;
  scenarios: string[];
  themes: string[];
}

function model(): Model {
  const byCommand: Model['byCommand'] = {};
  const valued = new Set<string>();
  const entries = (o: object) => Object.entries(o) as Array<[string, Spec]>;
  for (const [name, spec] of entries(COMMON)) {
    if (spec.type !== 'string') continue;
    valued.add(`--${name}`);
    if (spec.short) valued.add(`-${spec.short}`);
  }
  for (const [cmd, c] of Object.entries(COMMANDS)) {
    if (!cmd || cmd === 'start') continue;
    byCommand[cmd] = entries(c.options);
    for (const [name, spec] of byCommand[cmd]) if (spec.type === 'string') valued.add(`--${name}`);
  }
  return {
    commands: Object.keys(byCommand),
    valued: [...valued].sort(),
    common: entries(COMMON),
    byCommand,
    scenarios: SCENARIOS.map((s) => s.name),
    themes: listThemes(),
  };
}

const flagWords = (flags: Array<[string, Spec]>) => flags.flatMap(([n, s]) => [`--${n}`, ...(s.short ? [`-${s.short}`] : [])]);
const KUBE_CONTEXTS = 'kubectl config get-contexts -o name 2>/dev/null';
const KUBE_NAMESPACES = "kubectl get namespaces -o name 2>/dev/null | sed 's|^namespace/||'";

function bash(m: Model): string {
  const perCommand = m.commands.map((c) => `    ${c}) flags="$flags ${flagWords(m.byCommand[c] ?? []).join(' ')}" ;;`).join('\n');
  return `# warroom completion for bash. Load it with:  source <(warroom completion bash)
# or install it:  warroom completion bash > ~/.local/share/bash-completion/completions/warroom
_warroom() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${m.valued.join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$prev" in
    --config|--kubeconfig|--out) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --write-config) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --scenario) COMPREPLY=($(compgen -W "${m.scenarios.join(' ')}" -- "$cur")); return ;;
    --theme) COMPREPLY=($(compgen -W "${m.themes.join(' ')}" -- "$cur") $(compgen -f -- "$cur")); return ;;
    --context) COMPREPLY=($(compgen -W "$(${KUBE_CONTEXTS})" -- "$cur")); return ;;
    -n|--namespace) COMPREPLY=($(compgen -W "$(${KUBE_NAMESPACES})" -- "$cur")); return ;;
    ${m.valued.filter((f) => !['--config', '--kubeconfig', '--out', '--write-config', '--scenario', '--theme', '--context', '-n', '--namespace'].includes(f)).join('|')}) return ;;
  esac
  if [[ -z "$cmd" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "${m.commands.join(' ')}" -- "$cur")); return
  fi
  if [[ "$cmd" == completion && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "${SHELLS.join(' ')}" -- "$cur")); return
  fi
  local flags="${flagWords(m.common).join(' ')}"
  case "$cmd" in
${perCommand}
  esac
  COMPREPLY=($(compgen -W "$flags" -- "$cur"))
}
complete -F _warroom warroom
`;
}

const zshQuote = (s: string) => `'${s.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`;

function zsh(m: Model): string {
  const described = (flags: Array<[string, Spec]>) =>
    flags
      .flatMap(([n, s]) => [`--${n}:${FLAG_HELP[n] ?? n}`, ...(s.short ? [`-${s.short}:${FLAG_HELP[n] ?? n}`] : [])])
      .map((e) => `'${e.replace(/'/g, "'\\''")}'`)
      .join(' ');
  const perCommand = m.commands.map((c) => `    (${c}) flags+=(${described(m.byCommand[c] ?? [])}) ;;`).join('\n');
  return `#compdef warroom
# warroom completion for zsh. Load it with:  source <(warroom completion zsh)
# or install it as _warroom in a folder of $fpath.
_warroom() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd= i
  for (( i = 2; i < CURRENT; i++ )); do
    case \${words[i]} in
      (${m.valued.join('|')}) (( i++ )) ;;
      (-*) ;;
      (*) cmd=\${words[i]}; break ;;
    esac
  done
  case $prev in
    (--config|--kubeconfig|--out) _files; return ;;
    (--write-config) _files -/; return ;;
    (--scenario) compadd -- ${m.scenarios.join(' ')}; return ;;
    (--theme) compadd -- ${m.themes.join(' ')}; _files; return ;;
    (--context) compadd -- \${(f)"$(${KUBE_CONTEXTS})"}; return ;;
    (-n|--namespace) compadd -- \${(f)"$(${KUBE_NAMESPACES})"}; return ;;
    (${m.valued.filter((f) => !['--config', '--kubeconfig', '--out', '--write-config', '--scenario', '--theme', '--context', '-n', '--namespace'].includes(f)).join('|')}) return ;;
  esac
  if [[ -z $cmd && $cur != -* ]]; then
    local -a commands=(${m.commands.map((c) => zshQuote(`${c}:${COMMAND_HELP[c] ?? c}`)).join(' ')})
    _describe command commands; return
  fi
  if [[ $cmd == completion && $cur != -* ]]; then compadd -- ${SHELLS.join(' ')}; return; fi
  local -a flags=(${described(m.common)})
  case $cmd in
${perCommand}
  esac
  _describe flag flags
}
if [[ "\${funcstack[1]}" == _warroom ]]; then _warroom "$@"; else compdef _warroom warroom; fi
`;
}

function fish(m: Model): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const line = ([n, s]: [string, Spec], cond?: string) => {
    const value =
      n === 'config' || n === 'kubeconfig' || n === 'out'
        ? ' -r -F'
        : n === 'write-config'
          ? " -r -a '(__fish_complete_directories)'"
          : n === 'scenario'
            ? ` -x -a ${q(m.scenarios.join(' '))}`
            : n === 'theme'
              ? ` -r -F -a ${q(m.themes.join(' '))}`
              : n === 'context'
                ? ` -x -a ${q(`(${KUBE_CONTEXTS})`)}`
                : n === 'namespace'
                  ? ` -x -a ${q(`(${KUBE_NAMESPACES})`)}`
                  : s.type === 'string'
                    ? ' -x'
                    : '';
    return `complete -c warroom${cond ? ` -n ${q(cond)}` : ''}${s.short ? ` -s ${s.short}` : ''} -l ${n}${value} -d ${q(FLAG_HELP[n] ?? n)}`;
  };
  const out = [
    '# warroom completion for fish. Load it with:  warroom completion fish | source',
    '# or install it:  warroom completion fish > ~/.config/fish/completions/warroom.fish',
    'complete -c warroom -f',
  ];
  for (const c of m.commands) out.push(`complete -c warroom -n __fish_use_subcommand -a ${c} -d ${q(COMMAND_HELP[c] ?? c)}`);
  for (const f of m.common) out.push(line(f));
  for (const c of m.commands) for (const f of m.byCommand[c] ?? []) out.push(line(f, `__fish_seen_subcommand_from ${c}`));
  out.push(`complete -c warroom -n '__fish_seen_subcommand_from completion' -a ${q(SHELLS.join(' '))}`);
  return out.join('\n') + '\n';
}

export function completionScript(shell: string | undefined): string {
  const m = model();
  if (shell === 'bash') return bash(m);
  if (shell === 'zsh') return zsh(m);
  if (shell === 'fish') return fish(m);
  throw new UsageError(`${shell ? `unknown shell "${shell}"` : 'which shell?'}: warroom completion ${SHELLS.join('|')}`);
}
