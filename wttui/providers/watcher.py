"""Telling the app when a user changed something it shows, without scanning anything itself.

What to watch is a list of paths: directories whose entries matter (`.git/worktrees`, a
migration folder and its sub-folders) and files (a worktree's `.env`, `HEAD`, `index`). Each
directory is watched alone (never recursively: a worktree root holds `node_modules`), and a file
through its directory with a filter on its name, so wttui's own reads — `git status` taking
`index.lock`, a temporary file beside `.env` — wake nothing. A path that does not exist yet is
watched through its nearest existing parent, for the moment it appears.

Events come from the OS through `watchfiles` (inotify on Linux, FSEvents on macOS); where
there are none (some network or container filesystems), it polls the same paths once a second.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

POLL_MS = 1000
"""Polling interval where the OS gives no file events."""
DEBOUNCE_MS = 300
"""Changes arriving within this window (an editor's save, a checkout) are reported together."""
_NOISE = (".lock", ".tmp", ".swp", "~")
"""Files that come and go while git or an editor works: never a change by themselves."""

Spec = dict[Path, frozenset[str] | None]
"""Directory watched → the names of its entries that matter (None: any entry)."""


def watch_spec(paths: Iterable[Path]) -> Spec:
    """Which directories to watch, and for which names, to notice changes to `paths`."""
    spec: dict[Path, set[str] | None] = {}
    for path in paths:
        if path.is_dir():
            spec[path] = None
            continue
        parent, name = path.parent, path.name
        while not parent.is_dir() and parent != parent.parent:
            parent, name = parent.parent, parent.name
        names = spec.setdefault(parent, set())
        if names is not None:
            names.add(name)
    return {folder: (None if names is None else frozenset(names)) for folder, names in spec.items()}


def interesting(spec: Spec, path: Path) -> bool:
    """Whether a change to `path` is one the spec asks about."""
    if path.name.endswith(_NOISE):
        return False
    if path in spec:  # a watched directory itself appeared or went
        return True
    names = spec.get(path.parent, frozenset())
    return names is None or path.name in names


def watch(
    paths: Iterable[Path],
    on_change: Callable[[set[Path]], None],
    stop: threading.Event,
) -> None:
    """Call `on_change(changed paths)` whenever something in `paths` changes, until `stop` is
    set. Blocking: run it in a thread."""
    from watchfiles import watch as os_watch  # a compiled extension: not for the first frame

    spec = watch_spec(paths)
    if not spec:
        stop.wait()
        return

    def wanted(_change: object, raw: str) -> bool:
        return interesting(spec, Path(raw))

    for force_polling in (False, True):
        try:
            for changes in os_watch(
                *spec,
                watch_filter=wanted,
                debounce=DEBOUNCE_MS,
                stop_event=stop,
                recursive=False,
                force_polling=force_polling,
                poll_delay_ms=POLL_MS,
                raise_interrupt=False,
                ignore_permission_denied=True,
            ):
                on_change({Path(raw) for _, raw in changes})
            return
        except (OSError, RuntimeError):
            if force_polling or stop.is_set():
                return  # nothing to watch with: the periodic refresh still runs
