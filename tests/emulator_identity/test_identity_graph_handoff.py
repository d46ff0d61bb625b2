"""Tokens the identity half issues are the ones the Graph half accepts (delegated and app-only)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from identity_helpers import GRAPH, confidential_app, public_app, quiet_redirect, session

from o365sql.emulator import Emulator
from o365sql.emulator.browse import run_browse


def test_delegated_and_app_only_tokens_reach_graph(emulator: Emulator) -> None:
    app = public_app(emulator)
    flow = app.initiate_auth_code_flow(
        ["User.Read"], redirect_uri=quiet_redirect(), response_mode="form_post"
    )
    auth_response = {k: v[0] for k, v in parse_qs(urlsplit(run_browse(flow["auth_uri"])).query).items()}
    user_token = app.acquire_token_by_auth_code_flow(flow, auth_response)["access_token"]
    http = session(emulator)
    me = http.get(f"{emulator.graph_url}/me", headers={"Authorization": f"Bearer {user_token}"})
    assert me.status_code == 200 and me.json()["userPrincipalName"] == emulator.demo_user
    app_token = confidential_app(emulator).acquire_token_for_client([f"{GRAPH}/.default"])["access_token"]
    users = http.get(f"{emulator.graph_url}/users", headers={"Authorization": f"Bearer {app_token}"})
    assert users.status_code == 200 and users.json()["value"]
    me_app = http.get(f"{emulator.graph_url}/me", headers={"Authorization": f"Bearer {app_token}"})
    assert me_app.status_code == 400
