"""Managed identity (App Service flavour) through msal's ManagedIdentityClient."""

from __future__ import annotations

import msal
import pytest
from identity_helpers import session

from o365sql.emulator import Emulator

# msal recommends form_post when a test builds a query-mode flow on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")


def _client(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, header: str | None = None, identity: object | None = None
) -> msal.ManagedIdentityClient:
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{emu.state.base_url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", header or emu.msi_header)
    for name in ("IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert msal.managed_identity.get_managed_identity_source() is msal.managed_identity.APP_SERVICE
    return msal.ManagedIdentityClient(
        identity or msal.SystemAssignedManagedIdentity(), http_client=session(emu)
    )


def test_managed_identity_system_assigned(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _client(emulator, monkeypatch).acquire_token_for_client(resource="https://graph.microsoft.com")
    assert "access_token" in result, result
    assert 3000 < result["expires_in"] <= 3599
    grant = emulator.state.tokens.check_access(result["access_token"]).grant
    assert grant is not None and grant.app_only and grant.client_id == emulator.app_client_id
    assert "User.Read.All" in grant.roles


def test_managed_identity_user_assigned_and_errors(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ua = msal.UserAssignedManagedIdentity(client_id=emulator.cert_client_id)
    result = _client(emulator, monkeypatch, identity=ua).acquire_token_for_client(
        resource="https://graph.microsoft.com"
    )
    grant = emulator.state.tokens.check_access(result["access_token"]).grant
    assert grant is not None and grant.client_id == emulator.cert_client_id
    bad = _client(emulator, monkeypatch, header="wrong").acquire_token_for_client(
        resource="https://graph.microsoft.com"
    )
    assert "access_token" not in bad and bad["error"] == "invalid_scope"
    assert "X-IDENTITY-HEADER" in bad["error_description"]
    raw = session(emulator).get(
        f"{emulator.state.base_url}/msi/token",
        params={"api-version": "2019-08-01", "resource": "https://vault.azure.net"},
        headers={"X-IDENTITY-HEADER": emulator.msi_header},
    )
    assert raw.status_code == 500 and raw.json()["statusCode"] == 500
    ok = session(emulator).get(
        f"{emulator.state.base_url}/msi/token",
        params={"api-version": "2019-08-01", "resource": "https://graph.microsoft.com"},
        headers={"X-IDENTITY-HEADER": emulator.msi_header},
    )
    assert list(ok.json()) == ["access_token", "expires_on", "resource", "token_type", "client_id"]
    own = session(emulator).get(
        f"{emulator.state.base_url}/msi/token",
        params={"api-version": "2019-08-01", "resource": emulator.state.base_url},
        headers={"X-IDENTITY-HEADER": emulator.msi_header},
    )
    assert own.status_code == 200  # the emulator's own origin names Graph too
    assert ok.json()["expires_on"].isdigit()
