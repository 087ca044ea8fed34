"""Who runs the embedded server's programs, and how.

`initdb`, `pg_ctl` and `postgres` refuse to run as root, and dev containers and CI run as root.
Then they run as an unprivileged user (`$WTTUI_CLUSTER_USER`, else `postgres` if it exists,
else `nobody`) through `runuser`, and the directories they use must belong to that user. As
anyone else, they run as wttui's own user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from wttui.errors import ServerSetupError


def server_user() -> str | None:
    """The unprivileged user that runs the server when wttui is root, else None.

    Raises:
        ServerSetupError: wttui is root and no such user exists.
    """
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("WTTUI_CLUSTER_USER")
    for name in ([wanted] if wanted else []) + ["postgres", "nobody"]:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ServerSetupError(
        "wttui runs as root and there is no unprivileged user to run PostgreSQL",
        hint="create a `postgres` user or set WTTUI_CLUSTER_USER",
    )


def owner_ids(user: str | None) -> tuple[int, int] | None:
    """(uid, gid) that files of `user` must have, or None for wttui's own user."""
    if user is None:
        return None
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def run_program(
    user: str | None, argv: list[str], *, cwd: Path, timeout: float, log_hint: str
) -> str:
    """Run one of the server's programs as `user`; its stdout.

    Raises:
        ServerSetupError: it failed (with the last lines it printed) or timed out.
    """
    tool = Path(argv[0]).name
    if user is not None:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise ServerSetupError(
                "wttui runs as root and `runuser` is missing, so it cannot start PostgreSQL "
                "as an unprivileged user",
                hint="install util-linux, or run wttui as a normal user",
            )
        argv = [runuser, "-u", user, "--", *argv]
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ServerSetupError(f"{tool} timed out after {timeout:.0f} s", hint=log_hint) from None
    if done.returncode:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise ServerSetupError(f"{tool} failed: {tail}", hint=log_hint)
    return done.stdout


def own_dir(path: Path, owner: tuple[int, int] | None) -> None:
    """`path` as a 0700 directory of the server's user (`owner`, or wttui's own user); refuse
    one someone else made (the socket's fallback lives in the shared temporary directory).

    Raises:
        ServerSetupError: `path` is a symlink, not a directory, or another user's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if path.is_symlink() or not path.is_dir() or (owner is None and info.st_uid != os.getuid()):
        raise ServerSetupError(
            f"{path} is not a directory of the user running the embedded server",
            hint="remove it and try again",
        )
    if owner is not None:
        os.chown(path, *owner)
    os.chmod(path, 0o700)
