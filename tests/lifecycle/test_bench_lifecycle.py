"""`bench/lifecycle.py` keeps working as the code changes (its figures are judged in README,
not here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_lifecycle_bench_runs_and_prints_p3_and_the_methods() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench/lifecycle.py"),
            "--migrations",
            "3",
            "--repeat",
            "1",
            "--methods",
            "--sizes",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "P3 create with template clone:" in done.stdout
    assert "P3 create replaying 3 migrations with sql" in done.stdout
    assert "wal_log" in done.stdout
    assert "file_copy" in done.stdout
    assert "dump" in done.stdout
