"""`wttui` with no command: the app opened on a directory, its first frame drawn before
anything is read (P1).

Building `Services` (discovering the repository, reading the config, wiring providers) and
their imports would delay the first frame; the app does it in its first refresh worker
instead, showing `loading…` meanwhile (`WttuiApp(start=…)`, `loading.py`). What a user gets
for bad input does not change: outside a repository, the one line and exit 2 come before
anything is drawn (the probe below runs git while Textual is imported), and so do a config
file that is not TOML (`[database`): parsing a small file is cheap. A config that parses but
holds a bad value (`strategy = 3`) is found by the full check (`wttui.config.load`), in the
first refresh worker: importing its model and checks would cost the first frame ~25 ms (about
6 %, with P1 near its limit), so that one ends the app after its loading screen and prints its
one line and exit code the same way the CLI does.
"""

from __future__ import annotations

from pathlib import Path

from wttui.providers.git_probe import RepositoryProbe


def open_app(start: Path) -> int:
    """Run the app on the repository containing `start` until the user quits.

    Raises:
        WttuiError: `start` is not in a repository, its config file is not TOML, or loading
            its config failed (the caller prints the one line and returns its exit code).
    """
    probe = RepositoryProbe(start)  # git answers while Textual is imported
    from wttui.ui.app import WttuiApp

    app = WttuiApp(start=start)
    root = probe.check()
    if root is not None:
        from wttui.config_files import find_config

        find_config(root)  # a file that is not TOML: its one line, before anything is drawn
    app.run()
    if app.repository.failed is not None:
        raise app.repository.failed
    return 0
