"""The one list of isolation strategies: each name and the class that implements it.

Classes are named as import paths and loaded on first use, so reading the names (config
validation, before the app's first frame) imports nothing: the container strategy brings the
Docker SDK, the others psycopg.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wttui.strategies.base import StrategyFactory

STRATEGIES: dict[str, str] = {
    "database": "wttui.strategies.database:DatabaseStrategy",
    "shared": "wttui.strategies.database:SharedStrategy",
    "schema": "wttui.strategies.schema:SchemaStrategy",
    "container": "wttui.strategies.container:ContainerStrategy",
    "none": "wttui.strategies.none:NoDatabaseStrategy",
}
"""Strategy name (the `[database] strategy` value) → its class."""


def names() -> tuple[str, ...]:
    return tuple(STRATEGIES)


def load(name: str) -> StrategyFactory:
    """The class of strategy `name` (a name config validation has accepted)."""
    module, _, attribute = STRATEGIES[name].partition(":")
    factory: StrategyFactory = getattr(importlib.import_module(module), attribute)
    return factory
