"""Device-code flow: msal polls while the user approves at /devicelogin (or through the admin route)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from identity_helpers import assert_aad_error, authority, post_token, public_app, session

from o365sql.emulator import Emulator
from o365sql.emulator.browse import BrowseError, run_browse

# msal recommends form_post when a test builds a query-mode flow on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")

GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _start(emu: Emulator, scope: str = "openid profile offline_access Mail.Read") -> dict[str, Any]:
    resp = session(emu).post(
        f"{authority(emu)}/oauth2/v2.0/devicecode", data={"client_id": emu.client_id, "scope": scope}
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _poll(emu: Emulator, device_code: str, client_id: str | None = None) -> Any:
    return post_token(
        emu,
        {
            "grant_type": GRANT,
            "client_id": client_id or emu.client_id,
            "device_code": device_code,
            "code": device_code,
            "client_info": "1",
        },
    )


def test_devicecode_response_shape(fast_emulator: Emulator) -> None:
    body = _start(fast_emulator)
    assert list(body) == ["user_code", "device_code", "verification_uri", "expires_in", "interval", "message"]
    assert body["verification_uri"] == f"{fast_emulator.authority_host}/devicelogin"
    assert body["expires_in"] == 900 and body["interval"] == 1
    assert body["message"] == (
        f"To sign in, use a web browser to open the page {body['verification_uri']} "
        f"and enter the code {body['user_code']} to authenticate."
    )
    assert "verification_uri_complete" not in body


def test_device_flow_approved_through_devicelogin(fast_emulator: Emulator) -> None:
    app = public_app(fast_emulator)
    flow = app.initiate_device_flow(["Mail.Read"])
    assert "user_code" in flow, flow

    def user() -> None:
        time.sleep(0.3)
        run_browse(f"{flow['verification_uri']}?user_code={flow['user_code']}")

    browser = threading.Thread(target=user, daemon=True)
    browser.start()
    result = app.acquire_token_by_device_flow(flow)
    browser.join(10)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == fast_emulator.demo_user
    assert "refresh_token" in result and "client_info" in result


def test_device_flow_approved_through_the_admin_route(fast_emulator: Emulator) -> None:
    app = public_app(fast_emulator)
    flow = app.initiate_device_flow(["Calendars.Read"])
    other = fast_emulator.state.directory.users[1].user_principal_name

    def approve() -> None:
        time.sleep(0.3)
        fast_emulator.admin("POST", f"devicecodes/{flow['user_code']}/approve", {"user": other})

    threading.Thread(target=approve, daemon=True).start()
    result = app.acquire_token_by_device_flow(flow)
    assert result.get("id_token_claims", {}).get("preferred_username") == other, result


def test_device_polling_errors(make_emulator: Any) -> None:
    emu = make_emulator(device_code_interval=5)
    body = _start(emu)
    assert_aad_error(_poll(emu, body["device_code"]), "authorization_pending", 70016)
    emu.advance_clock(4.5)  # polled again within the interval
    assert_aad_error(_poll(emu, body["device_code"]), "slow_down", 70016)
    emu.advance_clock(5)
    assert_aad_error(_poll(emu, body["device_code"]), "authorization_pending", 70016)
    assert_aad_error(_poll(emu, "not-a-device-code"), "bad_verification_code", 70018)
    # Declined by the user.
    declined = _start(emu)
    emu.admin("POST", f"devicecodes/{declined['user_code']}/decline", {})
    assert_aad_error(_poll(emu, declined["device_code"]), "authorization_declined", 70000)


def test_device_code_declined_in_the_page(fast_emulator: Emulator) -> None:
    body = _start(fast_emulator)
    run_browse(f"{body['verification_uri']}?user_code={body['user_code']}", decline=True)
    assert_aad_error(_poll(fast_emulator, body["device_code"]), "authorization_declined", 70000)
    with pytest.raises(BrowseError, match="didn't work"):
        run_browse(f"{body['verification_uri']}?user_code=NOPE12345")


def test_device_code_expires(make_emulator: Any) -> None:
    emu = make_emulator(device_code_interval=1)
    body = _start(emu)
    assert body["expires_in"] == 900
    emu.advance_clock(899)
    assert_aad_error(_poll(emu, body["device_code"]), "authorization_pending", 70016)
    emu.advance_clock(1)
    assert_aad_error(_poll(emu, body["device_code"]), "expired_token", 70019)
    with pytest.raises(BrowseError, match="didn't work"):  # the page no longer takes the code either
        run_browse(f"{body['verification_uri']}?user_code={body['user_code']}")


def test_devicecode_errors(fast_emulator: Emulator) -> None:
    url = f"{authority(fast_emulator)}/oauth2/v2.0/devicecode"
    s = session(fast_emulator)
    assert_aad_error(s.post(url, data={"client_id": fast_emulator.client_id}), "invalid_request", 900144)
    assert_aad_error(
        s.post(url, data={"client_id": fast_emulator.client_id, "scope": "Nope.Read"}), "invalid_scope", 70011
    )
    assert_aad_error(
        s.post(url, data={"client_id": "00000000-0000-0000-0000-000000000001", "scope": "User.Read"}),
        "unauthorized_client",
        700016,
    )
