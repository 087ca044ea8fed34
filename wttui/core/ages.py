"""How long ago something happened, in one compact style (`40s`, `12m`, `3h`, `5d`, `7w`):
the app's narrow columns need it, and every CLI listing (`wttui trash`, `snapshots`,
`templates`, `doctor`'s orphans, migration warnings) uses the same so both read alike."""

from __future__ import annotations

from datetime import timedelta

_UNITS = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60))


def short_age(elapsed: timedelta) -> str:
    """`elapsed` in its largest whole unit: `40s`, `12m`, `3h`, `5d`, `7w` (never negative)."""
    seconds = max(0, int(elapsed.total_seconds()))
    for unit, size in _UNITS:
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
