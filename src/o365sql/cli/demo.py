"""`o365sql demo`: sample queries (or yours) against the bundled emulator, signed in through the desktop flow.

The only module of the driver that imports the emulator.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Collection, Sequence

import click

from ..auth._scopes import DEFAULT_DELEGATED_PERMISSIONS
from ..schema import TABLES
from .output import screen_for, show
from .session import Session, fail
from .whoami import describe_sign_in

__all__ = ["DEMO_QUERIES", "run_demo"]

DEMO_QUERIES: tuple[tuple[str, str], ...] = (
    (
        "Unread mail in the inbox, newest first",
        "SELECT receivedDateTime, from_emailAddress_address, subject FROM Messages "
        "WHERE parentFolderId = 'inbox' AND isRead = 0 ORDER BY receivedDateTime DESC LIMIT 8",
    ),
    (
        "Next week's events",
        "SELECT start_dateTime, end_dateTime, subject, location_displayName FROM CalendarView "
        "WHERE start_dateTime >= datetime('now') AND end_dateTime <= datetime('now', '+7 days') "
        "ORDER BY start_dateTime",
    ),
    (
        "Largest files in OneDrive",
        "SELECT name, size, lastModifiedDateTime FROM Files WHERE folder_childCount IS NULL "
        "ORDER BY size DESC LIMIT 5",
    ),
    (
        "Group membership counts (a JOIN)",
        "SELECT g.displayName, count(m.id) AS members FROM Groups g JOIN GroupMembers m ON m.GroupId = g.id "
        "GROUP BY g.displayName ORDER BY members DESC, g.displayName",
    ),
)


def demo_scope(known: Collection[str]) -> str:
    """The default permissions plus the least privileged delegated read and write one of every table.

    Only those the emulator's directory knows (`known`): the demo tenant consents to all of them, so
    `./scripts/demo "SQL"` can read Sites, Rooms or Tasks as well as what the default list covers.
    """
    wanted = list(DEFAULT_DELEGATED_PERMISSIONS)
    for spec in TABLES.values():
        for delegated, _app in (spec.permissions, spec.write_permissions):
            first = next((p for p in delegated if p in known), None)
            if first and first not in wanted:
                wanted.append(first)
    return " ".join(wanted)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_demo(sql: Sequence[str], scale: int, fmt: str) -> None:
    """Start the emulator with the demo tenant, sign in headless, and show each query's result."""
    try:
        from o365sql.emulator import Emulator
        from o365sql.emulator.directory import DELEGATED_PERMISSIONS
    except ImportError:
        fail("the demo needs the emulator extra: pip install 'o365sql[emulator]'")
    with Emulator(data="demo", scale=scale) as emu:
        click.echo(f"Emulator at {emu.authority_host} (tenant {emu.tenant_domain}).", err=True)
        # The desktop flow opens the sign-in page with Python's webbrowser; the emulator's `browse` command
        # plays the user. The trailing '&' keeps webbrowser from waiting for it.
        os.environ["BROWSER"] = f"{sys.executable} -m o365sql.emulator browse --quiet %s &"
        session = Session(
            f"{emu.connection_string};CallbackURL=http://localhost:{_free_port()};Scope={demo_scope(DELEGATED_PERMISSIONS)}"
        )
        screen = screen_for(sys.stdout)
        with session.connect() as con:
            who = describe_sign_in(con)[0]  # the first request signs in (connect does no network I/O)
            click.echo(f"Signed in through the desktop flow as {who}.\n", err=True)
            statements = [(None, s) for s in sql] if sql else list(DEMO_QUERIES)
            for title, statement in statements:
                if title:
                    click.echo(screen.bold(title))
                cursor = con.cursor().execute(statement)
                show(cursor, fmt, sys.stdout, screen)
                if title:
                    click.echo()
