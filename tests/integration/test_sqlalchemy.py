"""The SQLAlchemy dialect: `o365sql:///?<connection string>` with Core queries and reflection."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import sqlalchemy as sa  # the test extra installs it: a missing one must fail, not skip

from o365sql.emulator import Emulator
from o365sql.sqlalchemy import connection_string_from_url

from .conftest import connection_string


def test_url_carries_the_connection_string() -> None:
    url = sa.engine.make_url("o365sql:///?InitiateOAuth=GETANDREFRESH;OAuthClientId=abc;Pagesize=50")
    assert connection_string_from_url(url) == "InitiateOAuth=GETANDREFRESH;OAuthClientId=abc;Pagesize=50"
    url = sa.engine.make_url("o365sql:///?InitiateOAuth=OFF&Pagesize=50")
    assert connection_string_from_url(url) == "InitiateOAuth=OFF;Pagesize=50"


def test_engine_text_core_and_reflection(emulator: Emulator, token: str) -> None:
    engine = sa.create_engine("o365sql:///?" + quote(connection_string(emulator, token), safe="=;/:"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT displayName, mail FROM Users WHERE mail LIKE :p ORDER BY displayName"),
                {"p": "b%"},
            ).all()
            assert rows and all(r.mail.lower().startswith("b") for r in rows)
            assert "Messages" in sa.inspect(conn).get_table_names()
            messages = sa.Table("Messages", sa.MetaData(), autoload_with=conn)
            query = (
                sa.select(messages.c.subject, messages.c.receivedDateTime)
                .where(messages.c.isRead == sa.false())
                .order_by(messages.c.receivedDateTime.desc())
                .limit(3)
            )
            got = conn.execute(query).all()
            assert 0 < len(got) <= 3
            assert all(isinstance(r.receivedDateTime, dt.datetime) for r in got)
    finally:
        engine.dispose()
