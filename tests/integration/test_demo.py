"""`o365sql demo`, the README's first command: its own emulator, a headless sign-in, sample queries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from o365sql.cli.demo import DEMO_QUERIES
from o365sql.emulator import EmulatorConfig
from o365sql.emulator.directory import build_directory


def _o365sql(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `o365sql` command as a user would, with no terminal and no stdin (as in CI)."""
    command = Path(sys.executable).with_name("o365sql")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [str(command), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=90
    )


def test_demo_signs_in_headless_and_prints_the_sample_results() -> None:
    result = _o365sql("demo")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout + result.stderr  # the sign-in line goes to stderr, the results to stdout
    directory = build_directory(EmulatorConfig.seed)  # the demo tenant is a pure function of its seed
    assert f"Signed in through the desktop flow as {directory.demo_user.user_principal_name}" in out
    for title, _sql in DEMO_QUERIES:
        assert title in out
    assert "All Company" in out  # the JOIN's biggest group, every user a member
    assert "Traceback" not in out


def test_demo_signs_in_with_every_tables_permission() -> None:
    # Rooms (Place.Read.All) and Sites (Sites.Read.All) are outside the default permission list
    result = _o365sql("demo", "SELECT count(*) AS n FROM Rooms", "SELECT count(*) AS n FROM Sites")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "403" not in result.stdout + result.stderr
    assert "(1 row)" in result.stdout
