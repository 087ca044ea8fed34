"""Per-worktree container ports (F2): stable, in range, moved past taken ones."""

from __future__ import annotations

import pytest

from wttui.core.ports import choose_port, port_range, preferred_port
from wttui.errors import InvalidInput


def test_preferred_port_is_stable_and_in_range() -> None:
    ports = port_range("5433-5532")
    first = preferred_port("feat/user-auth", ports)
    assert first == preferred_port("feat/user-auth", ports)
    assert first in ports
    spread = {preferred_port(f"feat/{i}", ports) for i in range(50)}
    assert len(spread) > 25  # branches spread over the range rather than piling up


def test_taken_ports_move_to_the_next_and_wrap() -> None:
    ports = port_range("6000-6004")
    preferred = preferred_port("x", ports)
    chosen = choose_port("x", ports, {preferred}, lambda _port: True)
    assert chosen == (preferred + 1 if preferred < 6004 else 6000)
    busy_on_host = {p for p in ports if p != 6002}
    assert choose_port("x", ports, set(), lambda port: port not in busy_on_host) == 6002


def test_a_full_range_says_so() -> None:
    ports = port_range("6000-6001")
    with pytest.raises(InvalidInput, match="Every port in 6000-6001 is taken"):
        choose_port("x", ports, {6000, 6001}, lambda _port: True)
