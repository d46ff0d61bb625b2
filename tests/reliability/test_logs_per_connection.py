"""No log line crosses connections: a connection's Logfile holds its own requests and bodies only, also while
other connections (with and without a Logfile) work at the same time, and nothing more once it is closed."""

from __future__ import annotations

import threading
from pathlib import Path

from o365sql.emulator import Emulator

from .conftest import connect


def test_no_line_crosses_connections(emulator: Emulator, tmp_path: Path) -> None:
    a_log, c_log = tmp_path / "a.log", tmp_path / "c.log"
    a = connect(emulator, Logfile=str(a_log), Verbosity=5)
    b = connect(emulator)  # no Logfile: its traffic must go nowhere
    c = connect(emulator, Logfile=str(c_log), Verbosity=5)
    work = {a: "Contacts", b: "Events", c: "Calendars"}
    errors: list[BaseException] = []

    def run(con: object, table: str) -> None:
        try:
            for _ in range(5):
                con.cursor().execute(f"SELECT * FROM {table}").fetchall()  # type: ignore[attr-defined]
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(con, table)) for con, table in work.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and not any(t.is_alive() for t in threads)

    a.close()
    closed_size = a_log.stat().st_size
    b.cursor().execute("SELECT * FROM Events").fetchall()
    c.cursor().execute("SELECT * FROM Calendars").fetchall()
    a_text, c_text = a_log.read_text().lower(), c_log.read_text().lower()
    assert "/contacts" in a_text and "/calendars" in c_text  # each file has its own connection's traffic
    assert "/events" not in a_text and "/calendars" not in a_text
    assert "/events" not in c_text and "/contacts" not in c_text
    assert a_log.stat().st_size == closed_size  # nothing written after its connection closed
    b.close()
    c.close()
