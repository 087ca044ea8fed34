"""Who listens on a TCP port: the answer `doctor` gives when a server refuses connections.

psutil reads the system's socket table (and each socket's process, where permitted), on every
platform wttui runs on, instead of parsing `/proc` or `lsof` output by hand.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PortOwner:
    pid: int | None
    name: str
    """The program (`postgres`, `nginx`), or 'another process' when the system hides it."""
    command: str = ""


def listener(port: int) -> PortOwner | None:
    """The process listening on `port` (any local address), None when nothing listens."""
    import psutil

    try:
        sockets = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError):
        return None
    for sock in sockets:
        if sock.status == psutil.CONN_LISTEN and sock.laddr and sock.laddr.port == port:
            if sock.pid is None:
                return PortOwner(None, "another process")
            try:
                process = psutil.Process(sock.pid)
                return PortOwner(sock.pid, process.name(), " ".join(process.cmdline())[:120])
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                return PortOwner(sock.pid, "another process")
    return None


def describe(owner: PortOwner | None) -> str:
    if owner is None:
        return "nothing listens there"
    pid = f" (pid {owner.pid})" if owner.pid else ""
    return f"{owner.name}{pid} listens there"
