"""Words about a container's host port: who holds a port it needs, and why an existing
container is not on its worktree's port (pinned, or moved by a clash when it was made).

A clash is said with its holder — another wttui container and the worktree it belongs to,
another container (compose's, or any), or the program listening — never as a bare "in use".
"""

from __future__ import annotations

from collections.abc import Mapping

from wttui.core.ports import preferred_port
from wttui.providers.docker_engine import ContainerInfo
from wttui.providers.host_ports import port_is_free


def port_holder(port: int, publishers: Mapping[int, ContainerInfo]) -> str | None:
    """Who holds host port `port`: a container of `publishers` (port → container, from
    `DockerProvider.publishers`) or the program listening; None when it is free."""
    if (info := publishers.get(port)) is not None:
        state = "" if info.running else f", {info.state}"
        if info.project and info.worktree:
            return (
                f"wttui container {info.name} of worktree {info.worktree} "
                f"(project {info.project}{state})"
            )
        if info.compose_project:
            return f"container {info.name} (docker compose project {info.compose_project}{state})"
        return f"container {info.name}{state}"
    if port_is_free(port):
        return None
    from wttui.providers.port_holder import listener  # psutil: only when a port is taken

    return listener(port) or "another program"


def made_on(label: str, existing: ContainerInfo, pins: Mapping[str, int], ports: range) -> str:
    """Why `label`'s existing container is not on its worktree's port, in words ('' when it
    is, or when compose chose the port). `pins`: branch → pinned port."""
    port = existing.port
    if existing.compose_project or port is None:
        return ""
    if pin := pins.get(label):
        return "" if port == pin else f"{port}, not the pinned {pin} (re-create it to move)"
    preferred = preferred_port(label, ports)
    if port in ports and port != preferred:
        owner = next((branch for branch, p in pins.items() if p == preferred), None)
        return (
            f"{port} ({preferred} is pinned for {owner})"
            if owner
            else f"{port} ({preferred} was taken)"
        )
    return ""
