"""What a container create that was stopped half way leaves, and how the next one recognises it
(issue 13, item 7).

When the Docker engine dies under a create (killed, restarted, out of memory), the engine may
come back with the container made but never started — state `created`, wttui's labels on it —
and its volume. No `.env` names that container's port yet (create writes it once the database
is ready), and it never held any data, so the next create simply makes it again: on the
worktree's port when it is free, else the next free one; its volume is kept (it may be a kept
volume with data, and it holds the password its cluster uses).

Docker may also refuse a port the host looked free for (`port is already allocated` — a port it
still counts for a container it lost — or its proxy's `address already in use`): the create
moves on to the next free port rather than failing.
"""

from __future__ import annotations

from wttui.errors import DockerUnavailable
from wttui.providers.docker_engine import ContainerInfo

PORT_ATTEMPTS = 5
"""Ports tried in one create before giving up."""

_REFUSED = ("port is already allocated", "address already in use")


def half_made(info: ContainerInfo) -> bool:
    """wttui's own container, made and never started: what a stopped create leaves."""
    return info.compose_project is None and info.state == "created"


def port_refused(error: DockerUnavailable) -> bool:
    """Docker refused to publish the port (taken), not anything else."""
    text = error.message.lower()
    return any(reason in text for reason in _REFUSED)
