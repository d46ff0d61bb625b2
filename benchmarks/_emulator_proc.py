"""Start `python -m o365sql.emulator serve` in a subprocess and read its JSON line (benchmarks only)."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


@contextmanager
def emulator_process(*args: str) -> Iterator[dict[str, Any]]:
    """Run the emulator in its own process so its CPU and memory don't count against the client."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "o365sql.emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator exited before it was ready")
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def app_token(info: dict[str, Any]) -> str:
    """An app-only Graph token for the emulator's confidential app (client credentials, one POST)."""
    ctx = ssl.create_default_context(cafile=info["ca_cert"])
    with httpx.Client(verify=ctx) as client:
        resp = client.post(
            f"{info['authority_host']}/{info['tenant_id']}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": info["app_client_id"],
                "client_secret": info["app_client_secret"],
                "scope": "https://graph.microsoft.com/.default",
            },
        )
        resp.raise_for_status()
        token: str = resp.json()["access_token"]
        return token


def app_connection_string(info: dict[str, Any]) -> str:
    """Connect the driver to the emulator as its confidential app (app-only, no browser)."""
    return ";".join(
        [
            "AuthScheme=AzureServicePrincipal",
            f"OAuthClientId={info['app_client_id']}",
            f"OAuthClientSecret={info['app_client_secret']}",
            f"AzureTenant={info['tenant_id']}",
            f"AuthorityHost={info['authority_host']}",
            f"GraphURL={info['graph_url']}",
            f"SSLServerCert={info['ca_cert']}",
        ]
    )
