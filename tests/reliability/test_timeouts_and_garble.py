"""Timeout bounds a request against a server that stops answering; a garbled read is repeated, never used."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from o365sql.emulator import Emulator
from o365sql.errors import OperationalError

from .conftest import connect

Make = Callable[..., Emulator]


def _graph_requests(emu: Emulator, suffix: str) -> list[dict[str, object]]:
    return [r for r in emu.requests() if str(r["path"]).endswith(suffix)]


def test_a_stalled_answer_is_asked_once_more_then_reported(make_emulator: Make) -> None:
    """Headers, half a body, then silence: two tries in about 2 x Timeout, then an error naming Timeout
    (not six tries and six waits)."""
    emu = make_emulator(faults="stall_share=1")
    con = connect(emu, Timeout=1)
    emu.reset()
    with pytest.raises(OperationalError, match=r"Timeout"):
        con.cursor().execute("SELECT Id FROM Contacts").fetchall()
    assert len(_graph_requests(emu, "/contacts")) == 2
    con.close()


def test_a_garbled_page_is_fetched_again(make_emulator: Make) -> None:
    """A well-framed answer that is not JSON is repeated for a read; the rows equal a fault-free scan."""
    emu = make_emulator()
    con = connect(emu, Pagesize=3)
    con.procedure_context.graph.retry.base_delay = 0.01  # backoff in milliseconds: the test waits for nothing
    clean = con.cursor().execute("SELECT Id, DisplayName FROM Contacts ORDER BY Id").fetchall()
    emu.set_faults(garble_share=0.5, seed=1)
    emu.reset()
    again = con.cursor().execute("SELECT Id, DisplayName FROM Contacts ORDER BY Id").fetchall()
    assert again == clean and clean
    statuses = [r["status"] for r in _graph_requests(emu, "/contacts")]
    assert len(statuses) > len(clean) // 3 + 1  # some pages came twice
    con.close()
