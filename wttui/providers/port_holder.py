"""Which program listens on a host TCP port: the name a port clash is reported with.

psutil reads the system's socket table and each socket's process (where the system lets this
user see it), on Linux and macOS alike, rather than parsing `/proc/net/tcp` or `ss` output.
"""

from __future__ import annotations


def listener(port: int) -> str | None:
    """`postgres (pid 812)` for the process listening on `port` on any local address,
    `a process wttui may not see` when the system hides it, None when nothing listens."""
    import psutil

    try:
        sockets = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    for sock in sockets:
        if sock.status != psutil.CONN_LISTEN or not sock.laddr or sock.laddr.port != port:
            continue
        if sock.pid is None:
            return "a process wttui may not see (another user's)"
        try:
            return f"{psutil.Process(sock.pid).name()} (pid {sock.pid})"
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return f"process {sock.pid}"
    return None
