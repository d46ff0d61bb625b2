"""Helpers shared by the sign-in tests."""

from __future__ import annotations

from typing import Any

from o365sql.emulator import Emulator
from o365sql.properties import Properties, resolve


def emulator_props(emu: Emulator, **overrides: Any) -> Properties:
    """Properties for the emulator's public client, listening on a free port."""
    values: dict[str, Any] = {
        "AuthorityHost": emu.authority_host,
        "AzureTenant": emu.tenant_id,
        "OAuthClientId": emu.client_id,
        "SSLServerCert": emu.ca_cert,
        "GraphURL": emu.graph_url,
        "CallbackURL": "http://localhost:0",
        "Scope": "User.Read Mail.Read",
    }
    values.update(overrides)
    return resolve("", **values)


def paths(emu: Emulator, suffix: str, method: str | None = None) -> list[dict[str, Any]]:
    """Logged requests whose path ends with `suffix`."""
    return [
        r for r in emu.requests() if r["path"].endswith(suffix) and (method is None or r["method"] == method)
    ]
