"""Host ports for per-worktree containers (F2): stable per worktree, moved when taken.

A worktree prefers the port its name hashes to within the configured range, so the same branch
gets the same port on every machine and after every re-create; if that port is taken (by a
process on the host or another container), the next free one in the range is used. Pure: the
caller says which ports are taken.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from wttui.core.naming import short_hash
from wttui.errors import InvalidInput


def port_range(text: str) -> range:
    """`5433-5532` → range(5433, 5533).

    Raises:
        InvalidInput: not `LOW-HIGH` with 1024 ≤ LOW ≤ HIGH ≤ 65535.
    """
    low, sep, high = text.partition("-")
    if not (sep and low.strip().isdigit() and high.strip().isdigit()):
        raise InvalidInput(f"port range {text!r} is not LOW-HIGH (e.g. 5433-5532)")
    first, last = int(low), int(high)
    if not 1024 <= first <= last <= 65535:
        raise InvalidInput(f"port range {text!r} must lie within 1024-65535, low to high")
    return range(first, last + 1)


def preferred_port(label: str, ports: range) -> int:
    """The port `label` hashes to within `ports` (stable across runs and machines)."""
    return ports[int(short_hash(label, 8), 16) % len(ports)]


def choose_port(
    label: str, ports: range, taken: Collection[int], is_free: Callable[[int], bool]
) -> int:
    """The preferred port of `label`, or the next one (wrapping) that is neither `taken` nor
    busy on the host.

    Raises:
        InvalidInput: every port in the range is taken.
    """
    start = ports.index(preferred_port(label, ports))
    for offset in range(len(ports)):
        port = ports[(start + offset) % len(ports)]
        if port not in taken and is_free(port):
            return port
    raise InvalidInput(
        f"Every port in {ports.start}-{ports.stop - 1} is taken",
        hint="widen [container] ports, or remove containers you no longer need",
    )
