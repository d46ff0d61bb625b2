"""The shell's completer: what it offers where, from the connection's sys tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

import o365sql
from o365sql.cli.completion import Catalog, SqlCompleter
from o365sql.emulator import Emulator

from .conftest import connection_string


@pytest.fixture(scope="module")
def completer(emulator: Emulator, token: str) -> Iterator[SqlCompleter]:
    with o365sql.connect(connection_string(emulator, token)) as con:
        yield SqlCompleter(Catalog.read(con))


def offered(completer: SqlCompleter, text: str) -> list[str]:
    return [
        c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
    ]


def test_tables_after_from_and_join(completer: SqlCompleter) -> None:
    assert offered(completer, "SELECT * FROM Mess") == ["MessageAttachments", "Messages"]
    assert offered(completer, "SELECT * FROM Users u JOIN Group") == ["GroupMembers", "Groups"]


def test_columns_of_the_tables_named(completer: SqlCompleter) -> None:
    assert offered(completer, "SELECT * FROM Contacts WHERE givenN") == ["givenName"]
    assert offered(completer, "SELECT * FROM Messages WHERE receivedD") == ["receivedDateTime"]


def test_alias_dot_column(completer: SqlCompleter) -> None:
    assert offered(completer, "SELECT * FROM Messages AS m WHERE m.isDr") == ["isDraft"]
    assert offered(completer, "SELECT * FROM Users WHERE Users.userP") == ["userPrincipalName"]


def test_procedures_and_their_parameters(completer: SqlCompleter) -> None:
    assert offered(completer, "EXEC Send") == ["SendMail"]
    assert offered(completer, "EXEC SendMail To") == ["ToRecipients"]


def test_keywords_keep_the_case_typed(completer: SqlCompleter) -> None:
    assert "SELECT" in offered(completer, "SEL") and "select" in offered(completer, "sel")


def test_dot_commands_and_their_arguments(completer: SqlCompleter) -> None:
    assert offered(completer, ".sch") == [".schema"]
    assert offered(completer, ".schema Cal") == ["CalendarGroups", "CalendarView", "Calendars"]
    assert offered(completer, ".mode js") == ["json", "jsonl"]
