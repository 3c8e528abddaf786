/** The shells `devkit completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function isShell(name: string): name is Shell {
  return (SHELLS as readonly string[]).includes(name);
}

// Each script is a thin adapter: on TAB it runs `devkit __complete -- <words…>` with the words
// up to the cursor, and devkit walks its own command tree (completion/complete.ts). So the
// script never goes stale: a devkit upgrade that adds a command or a flag completes it at once,
// and service names, environments and deployables come from the repo's devkit.json. The devkit
// asked is the one being completed when that is a program (on PATH, or a path such as
// ./node_modules/.bin/devkit), else the repo's node_modules/.bin/devkit from the current folder
// up: an alias like `devkit='pnpm exec devkit'` is not a program a completion function can run.
// The reply's first line is `words`, `files` or `dirs`; then one candidate per line, with a tab
// before its description (shown by zsh and fish).

const BASH = String.raw`# devkit completion for bash. Load it from ~/.bashrc:
#   source <(devkit completion bash)
# or install it for bash-completion:
#   devkit completion bash > ~/.local/share/bash-completion/completions/devkit
_devkit_program() {
  local dir=$PWD
  if [[ $1 == */* || -n $(type -P -- "$1") ]]; then printf '%s' "$1"; return; fi
  while :; do
    if [[ -x $dir/node_modules/.bin/devkit ]]; then printf '%s' "$dir/node_modules/.bin/devkit"; return; fi
    [[ -z $dir ]] && break
    dir=\${dir%/*}
  done
  printf '%s' "$1"
}
_devkit_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line
  local -a reply=()
  # Read line by line rather than with mapfile, which the bash 3.2 of macOS lacks. bash splits
  # "--format=json" at "="; devkit reads the "=" as joining the flag to its value.
  while IFS= read -r line; do reply+=("$line"); done < <(
    "$(_devkit_program "\${COMP_WORDS[0]}")" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null
  )
  COMPREPLY=()
  case \${reply[0]-} in
    files)
      compopt -o filenames 2>/dev/null
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur") ;;
    dirs)
      compopt -o filenames 2>/dev/null
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -d -- "$cur") ;;
    words)
      for line in "\${reply[@]:1}"; do
        line=\${line%%$'\t'*}
        # Right after "=", bash replaces the "=" itself: keep it in front of the value.
        [[ $cur == = ]] && line="=$line"
        COMPREPLY+=("$line")
      done ;;
  esac
}
complete -F _devkit_complete devkit
`.replace(/\\\$/g, '$');

const ZSH = String.raw`#compdef devkit
# devkit completion for zsh. Load it from ~/.zshrc (after compinit):
#   source <(devkit completion zsh)
# or install it on $fpath:
#   devkit completion zsh > "\${fpath[1]}/_devkit"
_devkit_program() {
  local dir=$PWD
  if [[ $1 == */* ]] || whence -p -- $1 >/dev/null; then print -r -- $1; return; fi
  while true; do
    if [[ -x $dir/node_modules/.bin/devkit ]]; then print -r -- $dir/node_modules/.bin/devkit; return; fi
    [[ -z $dir ]] && break
    dir=\${dir%/*}
  done
  print -r -- $1
}
_devkit() {
  local -a reply described
  local line
  reply=("\${(@f)$("$(_devkit_program \${words[1]})" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case \${reply[1]} in
    files) _files ;;
    dirs) _files -/ ;;
    words)
      for line in "\${(@)reply[2,-1]}"; do
        [[ -z $line ]] && continue
        if [[ $line == *$'\t'* ]]; then
          described+=("\${\${line%%$'\t'*}//:/\\:}:\${line#*$'\t'}")
        else
          described+=("\${line//:/\\:}")
        fi
      done
      (( \${#described} )) && _describe -t devkit devkit described ;;
  esac
}
if [[ \${funcstack[1]} == _devkit ]]; then
  _devkit "$@"
else
  compdef _devkit devkit
fi
`.replace(/\\\$/g, '$');

const FISH = String.raw`# devkit completion for fish. Install it:
#   devkit completion fish > ~/.config/fish/completions/devkit.fish
function __devkit_program
    if string match -q -- '*/*' $argv[1]; or command -q -- $argv[1]
        echo $argv[1]
        return
    end
    set -l dir $PWD
    while true
        if test -x "$dir/node_modules/.bin/devkit"
            echo "$dir/node_modules/.bin/devkit"
            return
        end
        test -z "$dir"; and break
        set dir (string replace -r -- '/[^/]*$' '' $dir)
    end
    echo $argv[1]
end
function __devkit_complete
    set -l previous (commandline -opc)
    set -l current (commandline -ct)
    set -l program (__devkit_program $previous[1])
    set -l reply ($program __complete -- $previous[2..-1] "$current" 2>/dev/null)
    switch "$reply[1]"
        case files
            __fish_complete_path "$current"
        case dirs
            __fish_complete_directories "$current"
        case words
            printf '%s\n' $reply[2..-1]
    end
end
complete -c devkit -f -a '(__devkit_complete)'
`;

/** The completion script for one shell. */
export function completionScript(shell: Shell): string {
  const scripts: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
  return scripts[shell];
}
