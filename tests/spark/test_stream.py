"""readStream over Graph's delta queries: the stream picks up messages added or changed after it started."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from pyspark.sql import SparkSession

import o365sql
from o365sql.emulator import Emulator

from .conftest import app_options

# Spark is slow to start on a busy two-core machine: a hang guard, not a time limit on the behaviour
pytestmark = [pytest.mark.spark, pytest.mark.timeout(900)]


def _app_client(emu: Emulator) -> httpx.Client:
    """A raw Graph client signed in as the emulator's app: the test's writes do not go through o365sql."""
    with emu.http_client() as http:
        token = http.post(
            f"{emu.authority_host}/{emu.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": emu.app_client_id,
                "client_secret": emu.app_client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        ).json()["access_token"]
    return emu.http_client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"})


def test_stream_picks_up_messages_added_and_changed_after_it_started(
    spark: SparkSession, make_emulator: Callable[..., Emulator]
) -> None:
    emu = make_emulator(data="demo")
    with o365sql.connect(**app_options(emu)) as con:
        owner = con.execute("SELECT id FROM Users ORDER BY id LIMIT 1").fetchone()[0]
        before = {r[0] for r in con.execute("SELECT id FROM Messages WHERE UserId = ?", [owner])}
    reader = (
        spark.readStream.format("o365sql")
        .option("table", "Messages")
        .option("columns", "id,subject,isRead,UserId")
    )
    for name, value in app_options(emu, UserId=owner).items():
        reader = reader.option(name, value)
    query = reader.load().writeStream.format("memory").queryName("o365sql_stream").start()
    try:
        query.processAllAvailable()
        first = spark.sql("SELECT id, subject, isRead, UserId FROM o365sql_stream").collect()
        assert {r.id for r in first} == before and {r.UserId for r in first} == {owner}
        changed = min(first, key=lambda r: r.id)
        with _app_client(emu) as graph:
            added = [
                graph.post(
                    f"/users/{owner}/mailFolders/inbox/messages", json={"subject": f"stream {i}"}
                ).json()
                for i in range(2)
            ]
            graph.patch(
                f"/users/{owner}/messages/{changed.id}", json={"isRead": not changed.isRead}
            ).raise_for_status()
        query.processAllAvailable()
        rows = spark.sql("SELECT id, subject, isRead FROM o365sql_stream").collect()
    finally:
        query.stop()
    new = {(r.id, r.subject, r.isRead) for r in rows} - {(r.id, r.subject, r.isRead) for r in first}
    assert new == {(m["id"], m["subject"], m["isRead"]) for m in added} | {
        (changed.id, changed.subject, not changed.isRead)
    }
