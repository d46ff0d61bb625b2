"""Redaction masks secrets and keeps what a reader needs: Graph's and OAuth's error codes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import o365sql
from o365sql.emulator import Emulator
from o365sql.errors import redact

from .conftest import token_for

Make = Callable[..., Emulator]


@pytest.mark.parametrize(
    "code", ["ErrorItemNotFound", "Request_ResourceNotFound", "itemNotFound", "429", "invalid_grant"]
)
def test_error_codes_are_kept(code: str) -> None:
    text = '{"error":{"code":"' + code + '","message":"m"}}'
    assert redact(text) == text


@pytest.mark.parametrize(
    "secret",
    ["0.AXoAhx-abc123_defGHI", "M.C507_BAY.2.U.abcdef01-2345", "abcDEF123ghi", "x" * 65],
)
def test_authorization_codes_in_json_are_masked(secret: str) -> None:
    assert secret not in redact('{"code": "' + secret + '", "state": "s"}')
    assert secret not in redact(f"code={secret}&state=s")


def test_the_log_keeps_graphs_error_code_and_never_the_token(make_emulator: Make, tmp_path: Path) -> None:
    emu = make_emulator(data="empty")
    log = tmp_path / "o365.log"
    token = token_for(emu)
    con = o365sql.connect(
        OAuthAccessToken=token,
        GraphURL=emu.graph_url,
        SSLServerCert=emu.ca_cert,
        Logfile=str(log),
        Verbosity=5,
    )
    con.cursor().execute("SELECT Id FROM Messages WHERE Id = 'AAMkNoSuchMessage'").fetchall()
    con.close()
    text = log.read_text()
    assert '"code":"ErrorInvalidIdMalformed"' in text
    assert token not in text and token[-20:] not in text
