"""`o365sql shell` in a real pseudo-terminal (pexpect), typed into as a person would."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pexpect
import pytest

import o365sql
from o365sql.emulator import Emulator

from .conftest import connection_string, token_for

PROMPT = "o365sql>"
UP = "\x1b[A"
# prompt_toolkit switches bracketed paste on when a prompt starts and off when a line is accepted: the
# surest marks of "the shell reads input again" (the prompt itself is redrawn at every key)
READY = "\x1b[?2004h"
ACCEPTED = "\x1b[?2004l"

Spawn = Callable[..., pexpect.spawn]


@pytest.fixture
def spawn_shell(tmp_path: Path) -> Iterator[Spawn]:
    """Start `python -m o365sql shell` on a terminal 40 x 120; history under tmp_path."""
    children: list[pexpect.spawn] = []

    def spawn(conn: str, ignore_sigint: bool = False) -> pexpect.spawn:
        env = dict(
            os.environ,
            XDG_STATE_HOME=str(tmp_path / "state"),
            PAGER="cat",
            NO_COLOR="1",
            TERM="xterm",
            PROMPT_TOOLKIT_NO_CPR="1",  # pexpect does not answer cursor-position requests
        )
        env.pop("O365SQL_CONNECTION", None)
        child = pexpect.spawn(
            sys.executable,
            ["-m", "o365sql", "shell", "-c", conn],
            env=env,
            encoding="utf-8",
            timeout=30,
            dimensions=(40, 120),
            # as a background job of a script starts it: SIGINT ignored, which exec keeps
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
        )
        children.append(child)
        child.expect_exact(READY)
        return child

    yield spawn
    for child in children:
        child.close(force=True)


def run_line(child: pexpect.spawn, text: str) -> str:
    """Type a line and Enter; return what was printed before the next prompt."""
    child.send(text + "\r")
    child.expect_exact(ACCEPTED)
    child.expect_exact(READY)
    return str(child.before)


def test_history_and_multi_line_statements(emulator: Emulator, spawn_shell: Spawn, tmp_path: Path) -> None:
    child = spawn_shell(connection_string(emulator, token_for(emulator)))
    child.send("SELECT count(*) AS contacts_n\r")
    child.expect(r"\.\.\.>")  # no ';' yet: Enter continues the statement on a new line
    out = run_line(child, "FROM Contacts;")
    assert "contacts_n" in out and "(1 row)" in out
    out = run_line(child, UP)  # Up brings back the whole two-line statement
    assert "contacts_n" in out and "(1 row)" in out and "Error" not in out
    history = (tmp_path / "state" / "o365sql" / "history").read_text(encoding="utf-8")
    assert "+SELECT count(*) AS contacts_n\n+FROM Contacts;" in history


def test_completion_of_a_table_and_a_column(emulator: Emulator, spawn_shell: Spawn) -> None:
    child = spawn_shell(connection_string(emulator, token_for(emulator)))
    # Tab completes the name (the screen shows the added letters); the statement runs only if it did
    child.send("SELECT count(*) AS n_cal FROM CalendarV\t")
    child.expect_exact("iew")
    out = run_line(child, ";")
    assert "n_cal" in out and "(1 row)" in out and "Error" not in out
    child.send("SELECT count(*) AS n_given FROM Contacts WHERE givenN\t")
    child.expect_exact("ame")
    out = run_line(child, " IS NOT NULL;")
    assert "n_given" in out and "(1 row)" in out and "Error" not in out


def test_ctrl_c_drops_the_line_and_ctrl_d_leaves(emulator: Emulator, spawn_shell: Spawn) -> None:
    child = spawn_shell(connection_string(emulator, token_for(emulator)))
    child.send("SELECT this is not finished")
    child.sendcontrol("c")
    child.expect_exact(READY)
    out = run_line(child, "SELECT 'fresh' AS line;")
    assert "fresh" in out and "Error" not in out
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_dot_commands_mode_schema_tables(emulator: Emulator, spawn_shell: Spawn, tmp_path: Path) -> None:
    child = spawn_shell(connection_string(emulator, token_for(emulator)))
    run_line(child, ".mode csv")
    out = run_line(child, "SELECT 1 AS a, 'x' AS b;")
    assert "a,b\r\n1,x" in out.replace("\r\r\n", "\r\n")
    run_line(child, ".mode jsonl")
    assert '{"a": 1}' in run_line(child, "SELECT 1 AS a;")
    run_line(child, ".mode line")
    out = run_line(child, ".schema Contacts")
    assert "givenName" in out and "emailAddresses" in out and "JSON" in out
    assert "CalendarView" in run_line(child, ".tables")
    assert ".schema TABLE" in run_line(child, ".help")
    target = tmp_path / "once.jsonl"
    run_line(child, ".mode jsonl")
    run_line(child, f".once {target}")
    run_line(child, "SELECT 2 AS b;")
    assert target.read_text(encoding="utf-8") == '{"b": 2}\n'
    assert "GET /me/messages" in run_line(child, ".explain SELECT subject FROM Messages LIMIT 1")
    child.send(".quit\r")
    child.expect(pexpect.EOF)


def _message_pages(emu: Emulator) -> int:
    return sum(1 for r in emu.requests() if r["path"].endswith("/messages"))


@pytest.mark.parametrize("ignore_sigint", [False, True], ids=["default", "sigint-ignored-by-parent"])
def test_ctrl_c_stops_a_running_query(make_emulator: Any, spawn_shell: Spawn, ignore_sigint: bool) -> None:
    # A private emulator with latency and two messages a page: reading the mailbox takes many slow pages
    emu: Emulator = make_emulator(data="demo", latency_ms=250)
    token = token_for(emu)
    with o365sql.connect(connection_string(emu, token)) as con:
        pages_needed = con.execute("SELECT count(*) FROM Messages").fetchone()[0] // 2
    child = spawn_shell(connection_string(emu, token, Pagesize="2"), ignore_sigint)
    emu.reset()
    child.send("SELECT subject FROM Messages;\r")
    while _message_pages(emu) < 3:  # the query is under way
        time.sleep(0.05)
    child.sendcontrol("c")
    child.expect("Cancelled.")
    child.expect_exact(READY)
    stopped_at = _message_pages(emu)
    assert stopped_at < pages_needed > 10
    assert "still here" in run_line(child, "SELECT 'still here' AS s;")
    time.sleep(1.5)  # six latencies: had the scan gone on, more pages would be in the log by now
    assert _message_pages(emu) == stopped_at
