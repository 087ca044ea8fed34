"""The shell functions `wttui shell-init bash|zsh|fish` prints (F-cd).

A program cannot change its shell's directory, so the function does it: `wttui cd BRANCH` asks
the real command for the path and `cd`s there; any other `wttui …` (the app) runs with
`WTTUI_CD_FILE` naming a private temporary file, and when the app leaves a path in it (`q` on a
worktree), the shell lands there. `command wttui` always reaches the real program.
"""

from __future__ import annotations

CD_FILE = "WTTUI_CD_FILE"
"""The variable naming the file the app writes the chosen worktree's path to."""

_POSIX = """\
# wttui shell integration ({shell}): `wttui cd BRANCH`, and `q` in the app lands here.
# Add to ~/.{rc}:  eval "$(wttui shell-init {shell})"
wttui() {{
  if [ "$1" = cd ]; then
    shift
    local wttui_dir
    wttui_dir="$(command wttui cd --print "$@")" || return $?
    builtin cd -- "$wttui_dir"
    return $?
  fi
  local wttui_file wttui_rc
  wttui_file="$(mktemp "${{TMPDIR:-/tmp}}/wttui-cd.XXXXXX")" || return 1
  {var}="$wttui_file" command wttui "$@"
  wttui_rc=$?
  if [ -s "$wttui_file" ]; then
    builtin cd -- "$(cat "$wttui_file")"
  fi
  rm -f -- "$wttui_file"
  return $wttui_rc
}}
"""

_FISH = """\
# wttui shell integration (fish): `wttui cd BRANCH`, and `q` in the app lands here.
# Add to ~/.config/fish/config.fish:  wttui shell-init fish | source
function wttui
    if test (count $argv) -ge 1; and test "$argv[1]" = cd
        set -l wttui_dir (command wttui cd --print $argv[2..-1]); or return $status
        builtin cd -- $wttui_dir
        return $status
    end
    set -l wttui_file (mktemp); or return 1
    {var}=$wttui_file command wttui $argv
    set -l wttui_rc $status
    if test -s $wttui_file
        builtin cd -- (cat $wttui_file)
    end
    rm -f -- $wttui_file
    return $wttui_rc
end
"""

SHELLS = ("bash", "zsh", "fish")


def script(shell: str) -> str:
    """The function for `shell` (one of `SHELLS`)."""
    if shell == "fish":
        return _FISH.format(var=CD_FILE)
    return _POSIX.format(shell=shell, rc="bashrc" if shell == "bash" else "zshrc", var=CD_FILE)
