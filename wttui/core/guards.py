"""Which commands must never run against a shared database (F35, the seed's critical rules).

A rule is the words of a command (`prisma migrate reset`). A command is first normalised to
the programs it really runs: launchers that only start another program are set aside (`env`
and its `VAR=value` words, `sudo`, `nohup`, `nice`, `timeout`, `xargs`, and the package runners
`npx`, `pnpm [exec|dlx]`, `yarn [dlx|run|exec]`, `bunx`, `npm exec`, `uvx`, `uv run`,
`poetry run`, `bundle exec`, … with their own options), version suffixes are dropped
(`prisma@5`, `@prisma/cli@5`), and shell strings (`sh -c '…'`, `bash -lc`, `eval`,
`npm exec -c`) are split into their commands. A program matches a rule when its base name is
the rule's first word (`bin/rails` is `rails`) and every other word of the rule is among its
arguments. A shell string that expands variables or commands (`$X`, `$(…)`, backticks) cannot
be judged before it runs: the verdict says so, and the plan refuses it on a shared database.
Pure functions: no I/O.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """What the `[database] refuse` rules say about a command."""

    rule: str | None = None
    """The rule it matches."""
    command: tuple[str, ...] = ()
    """The normalised command that matched (`prisma migrate reset` out of `npx --yes …`)."""
    unjudged: str | None = None
    """Why it cannot be judged (matching no rule is then no promise), else None."""

    @property
    def clear(self) -> bool:
        """True when it matches no rule and could be judged."""
        return self.rule is None and self.unjudged is None

    def reason(self) -> str:
        """One sentence for a refusal message ('' when clear)."""
        if self.rule is not None:
            return f"it runs `{' '.join(self.command)}`, which matches the rule `{self.rule}`"
        return f"wttui cannot judge it: {self.unjudged}" if self.unjudged else ""


class _Script(str):
    """Text a shell will parse (the argument of `sh -c`, `eval`, `npm exec -c`)."""


_MAX_DEPTH = 8
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_EXPANSION = re.compile(r"[$`]|[<>]\(")
_PUNCTUATION = "();<>|&\n"
_GROUPS = frozenset({"{", "}"})
_KEYWORDS = frozenset({"!", "if", "then", "do", "else", "elif", "while", "until", "time"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish"})

Unwrap = Callable[[list[str]], "list[str] | _Script | None"]
"""A launcher's words → the words it runs, a script, or None (it runs nothing we can name)."""


def _skip(words: list[str], start: int, valued: frozenset[str]) -> int:
    """Index of the first word after the options from `start` (`--` ends them; an option in
    `valued` takes the next word unless written `--opt=value`)."""
    i = start
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        if words[i] == "--":
            return i + 1
        i += 2 if words[i] in valued else 1
    return i


def _after(valued: str, *, skip: int = 1, script: str = "") -> Unwrap:
    """A launcher that takes `skip` words, then options (those in `valued` take a value; one
    in `script` makes the rest a shell string)."""
    valued_set = frozenset(valued.split())
    script_set = frozenset(script.split())

    def unwrap(words: list[str]) -> list[str] | _Script | None:
        i = skip
        while i < len(words) and words[i].startswith("-") and words[i] != "-":
            option, _, inline = words[i].partition("=")
            if words[i] == "--":
                i += 1
                break
            if option in script_set:
                return _Script(inline or " ".join(words[i + 1 :]))
            i += 2 if words[i] in valued_set else 1
        return words[i:]

    return unwrap


def _env(words: list[str]) -> list[str] | _Script | None:
    i = 1
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        option, _, inline = words[i].partition("=")
        if words[i] == "--":
            i += 1
            break
        if option in ("-S", "--split-string"):
            text = inline or (words[i + 1] if i + 1 < len(words) else "")
            try:
                return shlex.split(text) + words[i + (1 if inline else 2) :]
            except ValueError:
                return _Script(text)
        i += 2 if words[i] in ("-u", "--unset", "-C", "--chdir", "-P") else 1
    while i < len(words) and _ASSIGNMENT.match(words[i]):
        i += 1
    return words[i:]


_SUDO_VALUED = frozenset(
    ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group"]
    + ["--close-from", "--chdir", "--host", "--prompt", "--role", "--type", "--other-user"]
)


def _sudo(words: list[str]) -> list[str] | _Script | None:
    valued = frozenset(
        [
            "-u",
            "-g",
            "-C",
            "-D",
            "-h",
            "-p",
            "-r",
            "-t",
            "-U",
            "-T",
            "--user",
            "--group",
            "--close-from",
            "--chdir",
        ]
    )
    i = _skip(words, 1, valued | {"--host", "--prompt", "--role", "--type", "--other-user"})
    while i < len(words) and _ASSIGNMENT.match(words[i]):
        i += 1
    return words[i:]


def _timeout(words: list[str]) -> list[str] | _Script | None:
    i = _skip(words, 1, frozenset({"-s", "--signal", "-k", "--kill-after"}))
    return words[i + 1 :]  # the duration, then the command


def _subcommand(
    runs: Sequence[str], valued: str, sub_valued: str = "", *, script: str = "", bins: bool
) -> Unwrap:
    """`tool [options] SUB …` for SUB in `runs`: what SUB launches. With `bins`, any other
    word is a program the tool runs from the project (`pnpm prisma …`, `yarn prisma …`)."""
    inner = _after(sub_valued, skip=0, script=script)
    global_valued = frozenset(valued.split())

    def unwrap(words: list[str]) -> list[str] | _Script | None:
        i = _skip(words, 1, global_valued)
        if i >= len(words):
            return None
        if words[i] in runs:
            if words[i] == "exec" and words[0].endswith(("yarn", "bun")):
                return _Script(" ".join(words[i + 1 :]))  # both run it in their own shell
            if words[i] == "workspace":  # yarn workspace NAME COMMAND…
                return words[i + 2 :]
            return inner(words[i + 1 :])
        return words[i:] if bins else None

    return unwrap


_NPM_VALUED = "-w --workspace --prefix --registry --cache --userconfig --loglevel"
_PNPM_VALUED = "--filter -F -C --dir --reporter --loglevel --workspace-concurrency"
_UV_VALUED = (
    "--with --with-editable --with-requirements --python -p --package --extra --group "
    "--only-group --env-file --directory --project --index --default-index --index-url "
    "--extra-index-url --find-links -f --from --constraints --overrides --python-platform"
)
_LAUNCHERS: dict[str, Unwrap] = {
    "env": _env,
    "sudo": _sudo,
    "doas": _after("-u -C"),
    "nohup": _after(""),
    "nice": _after("-n --adjustment"),
    "command": _after(""),
    "exec": _after("-a"),
    "time": _after("-f -o --format --output"),
    "timeout": _timeout,
    "xargs": _after("-I -L -n -P -s -d -E -a --max-args --max-procs --delimiter --arg-file"),
    "busybox": _after(""),
    "npx": _after(f"-p --package {_NPM_VALUED}", script="-c --call"),
    "pnpx": _after("--package", script="-c --shell-mode"),
    "bunx": _after("-p --package"),
    "uvx": _after(_UV_VALUED),
    "pnpm": _subcommand(
        ("exec", "dlx"), _PNPM_VALUED, "--package", script="-c --shell-mode", bins=True
    ),
    "yarn": _subcommand(
        ("dlx", "run", "exec", "workspace"), "--cwd --cache-folder", "-p --package", bins=True
    ),
    "bun": _subcommand(("x", "run", "exec"), "--cwd", "--filter --cwd -p --package", bins=False),
    "npm": _subcommand(
        ("exec", "x"), _NPM_VALUED, f"-p --package {_NPM_VALUED}", script="-c --call", bins=False
    ),
    "uv": _subcommand(("run", "tool"), "--directory --project", _UV_VALUED, bins=False),
    "poetry": _subcommand(("run",), "-C --directory -P --project", bins=False),
    "pipenv": _subcommand(("run",), "", bins=False),
    "pdm": _subcommand(("run",), "-p --project", bins=False),
    "hatch": _subcommand(("run",), "-e --env", bins=False),
    "rye": _subcommand(("run",), "", bins=False),
    "bundle": _subcommand(("exec",), "", bins=False),
}


def program_name(word: str) -> str:
    """A command word's program: base name, npm scope and version dropped (`@prisma/cli@5`
    → `cli`, `node_modules/.bin/prisma` → `prisma`, `ruff==0.5` → `ruff`)."""
    if word.startswith("@") and "/" in word:
        word = word.split("/", 1)[1]
    name = os.path.basename(word)
    return re.split(r"@|==|\[", name, maxsplit=1)[0] if name[:1] != "@" else name


def _shell_script(words: list[str]) -> str | None:
    """The `-c` string of a shell invocation; None when it runs a file or stdin."""
    with_c = False
    i = 1
    while i < len(words) and words[i][:1] in "-+" and len(words[i]) > 1:
        word = words[i]
        if word == "--":
            i += 1
            break
        if word in ("-o", "+o", "--rcfile", "--init-file", "-O", "+O"):
            i += 2
            continue
        if not word.startswith("--") and "c" in word[1:]:
            with_c = True
        i += 1
    if not with_c:
        return None
    return words[i] if i < len(words) else ""


def _simple_commands(words: list[str], depth: int) -> tuple[list[tuple[str, ...]], list[str]]:
    """The normalised commands `words` runs, and why any part of it cannot be judged."""
    if depth > _MAX_DEPTH:
        return [], ["its commands nest too deeply"]
    while words:
        program = program_name(words[0])
        found: list[str] | _Script | None
        if program in _SHELLS:
            script = _shell_script(words)
            if script is None:
                break
            found = _Script(script)
        elif program == "eval":
            found = _Script(" ".join(words[1:]))
        elif program in _LAUNCHERS:
            found = _LAUNCHERS[program](words)
            if found is None:
                break
        else:
            break
        if isinstance(found, _Script):
            return _script_commands(found, depth + 1)
        words = found
    if not words:
        return [], []
    return [(program_name(words[0]), *words[1:])], []


def _script_commands(script: str, depth: int) -> tuple[list[tuple[str, ...]], list[str]]:
    """The commands of a shell string, split at `;`, `&&`, `|`, newlines, groups, …"""
    unjudged = []
    if _EXPANSION.search(script):
        unjudged.append(
            "its shell string expands variables or commands ($…, backticks), so what it runs "
            "is only known when it runs"
        )
    lexer = shlex.shlex(script, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"  # newlines end a command: they are punctuation here
    lexer.whitespace_split = True
    lexer.commenters = ""  # a comment's words are judged too: erring towards refusing
    try:
        tokens = list(lexer)
    except ValueError:
        return [], [*unjudged, "its shell string has unbalanced quotes"]
    commands: list[tuple[str, ...]] = []
    segment: list[str] = []
    for token in [*tokens, ";"]:
        is_separator = token in _GROUPS or (
            set(token) <= set(_PUNCTUATION) and not set(token) & set("<>")
        )
        if not is_separator:
            segment.append(token)
            continue
        found, reasons = _simple_commands(_clean(segment), depth)
        commands += found
        unjudged += reasons
        segment = []
    return commands, unjudged


def _clean(segment: list[str]) -> list[str]:
    """A shell segment without redirections, leading keywords and `VAR=value` words."""
    words: list[str] = []
    skip_next = False
    for index, token in enumerate(segment):
        if skip_next:
            skip_next = False
            continue
        if token and set(token) <= set(_PUNCTUATION):  # `>`, `2>&`, `<<`: a redirection
            skip_next = True  # its target
            continue
        following = segment[index + 1] if index + 1 < len(segment) else ""
        if token.isdigit() and following[:1] in ("<", ">"):
            continue  # `2>file`: the descriptor
        words.append(token)
    while words and (words[0] in _KEYWORDS or _ASSIGNMENT.match(words[0])):
        words.pop(0)
    return words


def _matches(command: tuple[str, ...], rule: str) -> bool:
    first, *rest = rule.split()
    return command[0] == first and all(word in command[1:] for word in rest)


def judge(argv: Sequence[str], rules: Sequence[str]) -> Verdict:
    """What `rules` say about running `argv`: the rule it matches (first one wins), else
    whether it could be judged at all."""
    commands, unjudged = _simple_commands(list(argv), 0)
    for command in commands:
        for rule in rules:
            if rule.split() and _matches(command, rule):
                return Verdict(rule=rule, command=command)
    return Verdict(unjudged="; ".join(dict.fromkeys(unjudged)) or None)


def refused_rule(argv: Sequence[str], rules: Sequence[str]) -> str | None:
    """The first rule `argv` matches, or None (see `judge` for commands it cannot judge)."""
    return judge(argv, rules).rule


def programs(argv: Sequence[str]) -> tuple[str, ...]:
    """The programs `argv` runs, seen through launchers and shell strings as the rules see them
    (`npx prisma …` → `prisma`; `sh -c 'psql "$URL"; true'` → `psql`, `true`)."""
    commands, _ = _simple_commands(list(argv), 0)
    return tuple(command[0] for command in commands)
