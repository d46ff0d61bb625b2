"""`o365sql sync` fills the cache that Offline=true answers from; `--stats` prints what a statement cost."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from o365sql.cli import main
from o365sql.emulator import Emulator

from .conftest import raw_items


def _app(emu: Emulator, **extra: str) -> str:
    parts = [
        "AuthScheme=AzureServicePrincipal",
        f"OAuthClientId={emu.app_client_id}",
        f"OAuthClientSecret={emu.app_client_secret}",
        f"AzureTenant={emu.tenant_id}",
        f"AuthorityHost={emu.authority_host}",
        f"GraphURL={emu.graph_url}",
        f"SSLServerCert={emu.ca_cert}",
        *(f"{k}={v}" for k, v in extra.items()),
    ]
    return ";".join(parts)


def test_sync_then_offline_query_counts_every_user(tenant: Emulator, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache.db")
    synced = CliRunner().invoke(
        main, ["-c", _app(tenant, CacheLocation=cache), "sync", "Users", "--format", "json"]
    )
    assert synced.exit_code == 0, synced.output
    report = json.loads(synced.stdout)
    expected = len(raw_items(tenant, "/users"))
    assert report[0]["Table"] == "Users" and report[0]["Upserted"] == expected
    tenant.reset()
    offline = CliRunner().invoke(
        main,
        ["query", "SELECT count(*) AS n FROM Users", "--format", "json"],
        env={"O365SQL_CONNECTION": _app(tenant, CacheLocation=cache, Offline="true")},
    )
    assert offline.exit_code == 0, offline.output
    assert json.loads(offline.stdout) == [{"n": expected}]
    assert not [r for r in tenant.requests() if r["path"].startswith("/v1.0/")]  # answered from the cache


def test_stats_prints_the_cost_of_each_statement_on_stderr(tenant: Emulator) -> None:
    result = CliRunner().invoke(
        main, ["query", "SELECT id FROM Users", "--format", "jsonl", "--stats", "-c", _app(tenant)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert "requests" not in result.stdout
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"{len(rows)} rows, ") and " requests, " in line and line.endswith(" s")
    graph_requests = [r for r in tenant.requests() if r["path"].startswith("/v1.0/")]
    assert f"{len(graph_requests)} requests" in line


def test_offline_refuses_writes_before_calling_graph(tenant: Emulator, tmp_path: Path) -> None:
    import pytest

    import o365sql

    from .conftest import app_connect

    cache = str(tmp_path / "cache.db")
    with app_connect(tenant, CacheLocation=cache) as con:
        con.execute("EXEC SyncTable Table = 'Users'")
    tenant.reset()
    with (
        app_connect(tenant, CacheLocation=cache, Offline=True) as con,
        pytest.raises(o365sql.NotSupportedError, match="cannot UPDATE"),
    ):
        con.execute("UPDATE Users SET jobTitle = 'x' WHERE id IN (SELECT id FROM Users LIMIT 1)")
    assert not [r for r in tenant.requests() if r["method"] != "GET"]
