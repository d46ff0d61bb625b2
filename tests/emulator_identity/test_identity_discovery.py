"""Discovery document, JWKS and tenants, as msal's Authority reads them."""

from __future__ import annotations

import pytest
from identity_helpers import assert_aad_error, authority, public_app, session

from o365sql.emulator import Emulator

# msal recommends form_post when a test builds a query-mode flow on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")

A8_KEYS = [
    "token_endpoint",
    "token_endpoint_auth_methods_supported",
    "jwks_uri",
    "response_modes_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "response_types_supported",
    "scopes_supported",
    "issuer",
    "request_uri_parameter_supported",
    "userinfo_endpoint",
    "authorization_endpoint",
    "device_authorization_endpoint",
    "http_logout_supported",
    "frontchannel_logout_supported",
    "end_session_endpoint",
    "claims_supported",
    "kerberos_endpoint",
    "tenant_region_scope",
    "cloud_instance_name",
    "cloud_graph_host_name",
    "msgraph_host",
    "rbac_url",
]


@pytest.mark.parametrize("tenant", ["common", "organizations", "consumers", "TENANT_ID", "TENANT_DOMAIN"])
def test_openid_configuration(emulator: Emulator, tenant: str) -> None:
    name = {"TENANT_ID": emulator.tenant_id, "TENANT_DOMAIN": emulator.tenant_domain}.get(tenant, tenant)
    resp = session(emulator).get(f"{authority(emulator, name)}/v2.0/.well-known/openid-configuration")
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == "max-age=86400, private"
    assert resp.headers["access-control-allow-origin"] == "*"
    doc = resp.json()
    assert list(doc) == A8_KEYS
    path = name if tenant in ("common", "organizations", "consumers") else emulator.tenant_id
    assert doc["token_endpoint"] == f"{emulator.authority_host}/{path}/oauth2/v2.0/token"
    for key in (
        "token_endpoint",
        "jwks_uri",
        "authorization_endpoint",
        "device_authorization_endpoint",
        "end_session_endpoint",
    ):
        assert doc[key].startswith("https://127.0.0.1:")
    if tenant in ("common", "organizations", "consumers"):
        assert doc["issuer"] == f"{emulator.authority_host}/{{tenantid}}/v2.0"
    else:
        assert doc["issuer"] == f"{emulator.authority_host}/{emulator.tenant_id}/v2.0"
    assert doc["response_modes_supported"] == ["query", "fragment", "form_post"]
    # msal accepts it as an authority with no request outside the emulator.
    app = public_app(emulator, name)
    assert app.get_accounts() == []


def test_unknown_tenant(emulator: Emulator) -> None:
    resp = session(emulator).get(
        f"{authority(emulator, 'no-such-tenant.example')}/v2.0/.well-known/openid-configuration"
    )
    body = assert_aad_error(resp, "invalid_tenant", 90002)
    assert body["error_uri"] == f"{emulator.authority_host}/error?code=90002"
    with pytest.raises(ValueError):
        public_app(emulator, "no-such-tenant.example")


def test_jwks(emulator: Emulator) -> None:
    keys = session(emulator).get(f"{authority(emulator)}/discovery/v2.0/keys").json()["keys"]
    assert len(keys) == 1
    assert {"kty", "use", "kid", "x5t", "n", "e", "issuer"} <= set(keys[0])
    assert keys[0]["kty"] == "RSA" and keys[0]["e"] == "AQAB"
