"""The embedded cluster's settings and client authentication, as wttui writes them.

Who may connect is the point: the server listens on 127.0.0.1 only and on a Unix socket in a
directory only the server's user can enter, and every login needs a password checked with
SCRAM (`scram-sha-256`), so another local user who cannot read wttui's data directory cannot get
in. wttui rewrites these files at every start (an upgrade of wttui upgrades them too) and keeps
its settings in `wttui.conf`, included from `postgresql.conf`, so nothing a user sets with
`ALTER SYSTEM` is touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from wttui.providers.private_files import write_private

SETTINGS_FILE = "wttui.conf"
INCLUDE_LINE = f"include_if_exists = '{SETTINGS_FILE}'"
_SOCKET_PATH_MAX = 100
"""sun_path holds 108 bytes on Linux, 104 on macOS; `.s.PGSQL.65535` must fit after the dir."""

HBA = """\
# Written by wttui at every start: password (SCRAM) logins only, over the server's private
# Unix socket and 127.0.0.1. No trust, no peer, no replication.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
"""

# Lines an older wttui appended to postgresql.auto.conf, which would override wttui.conf.
_OLD_AUTO = re.compile(
    r"^(# written by wttui.*|listen_addresses = '127\.0\.0\.1'|unix_socket_directories = ''"
    r"|synchronous_commit = off)\n",
    re.MULTILINE,
)


def settings(port: int, socket_dir: Path) -> str:
    """The content of `wttui.conf` for a server on `port` with its socket in `socket_dir`."""
    socket = str(socket_dir).replace("'", "''")
    return (
        "# Written by wttui at every start; change wttui, not this file.\n"
        f"port = {port}\n"
        "listen_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{socket}'\n"
        "unix_socket_permissions = 0700\n"
        "password_encryption = 'scram-sha-256'\n"
        "# A failed statement may quote a password (CREATE ROLE ... PASSWORD): never log it.\n"
        "log_min_error_statement = panic\n"
        "# Development databases: a crash may lose the last commits, not the cluster.\n"
        "synchronous_commit = off\n"
    )


def socket_dir(cluster_dir: Path, uid: int) -> Path:
    """Where the server's Unix socket lives: in the cluster's directory, or when that path is
    too long for a socket address, in a per-user directory under the temporary directory."""
    preferred = cluster_dir / "socket"
    if len(os.fsencode(preferred / ".s.PGSQL.65535")) <= _SOCKET_PATH_MAX:
        return preferred
    digest = hashlib.sha256(os.fsencode(cluster_dir)).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"wttui-{uid}" / digest


def is_current(pgdata: Path, port: int, socket: Path) -> bool:
    """True when the files in `pgdata` are what `write` would write (reads only)."""
    try:
        return (
            (pgdata / SETTINGS_FILE).read_text() == settings(port, socket)
            and (pgdata / "pg_hba.conf").read_text() == HBA
            and INCLUDE_LINE in (pgdata / "postgresql.conf").read_text()
        )
    except OSError:
        return False


def write(pgdata: Path, port: int, socket: Path, owner: tuple[int, int] | None) -> None:
    """Write wttui's settings and `pg_hba.conf` into `pgdata`, owned by the server's user."""
    write_private(pgdata / SETTINGS_FILE, settings(port, socket), owner=owner)
    write_private(pgdata / "pg_hba.conf", HBA, owner=owner)
    main = pgdata / "postgresql.conf"
    text = main.read_text()
    if INCLUDE_LINE not in text:
        text = text.rstrip("\n") + f"\n\n# wttui's settings\n{INCLUDE_LINE}\n"
        write_private(main, text, owner=owner)
    auto = pgdata / "postgresql.auto.conf"
    if auto.exists():
        old = auto.read_text()
        new = _OLD_AUTO.sub("", old)
        if new != old:
            write_private(auto, new, owner=owner)
